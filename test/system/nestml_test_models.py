"""NESTML model texts shared by the system tests."""

#: a synapse with a modulatory port whose update block is Euler-like (x += r h (1 - x)), so not
#: exact over an interval: back ends must run it once per step between events
_EULER_MOD_SYNAPSE = """
model {name}:
    state:
        w real = 1.
        x real = 0.
        tr real = 0.
    parameters:
        tau ms = 20 ms
        r 1/ms = 0.05 ms**-1
    equations:
        tr' = -tr / tau
    input:
        pre_spikes <- spike
        post_spikes <- spike
        mod_spikes <- spike
    output:
        spike
    onReceive(mod_spikes):
        x += 1
    onReceive(post_spikes):
        w += tr
    onReceive(pre_spikes):
        tr += 1
        emit_spike(w)
    update:
        x += r * timestep() * (1 - x)
        integrate_odes()
"""


def euler_mod_synapse(name):
    """The text of the Euler-like modulated synapse above, as a model called `name`."""
    return _EULER_MOD_SYNAPSE.format(name=name)
