COMMENT
Leaky integrate-and-fire cell with current-based synapses, integrated exactly on the
fixed time grid (written for the pyNN.neuron backend).

The cell is a point process that holds its own membrane potential `vm`; it does not
use the potential of the section it sits in. Once per time step (SOLVE of a PROCEDURE)
the state is propagated from t - dt to t with the exact solution of the linear system,
so the result does not depend on NEURON's integrator. Synaptic shapes:
  shape = 0: exponential current (jump of weight nA, decay tau_syn)
  shape = 1: alpha current (peak of weight nA at tau_syn)
  shape = 2: voltage jump of weight mV (delta synapse)
Positive weights go to the excitatory input, negative ones to the inhibitory input.
`i_inj` (nA) is the current injected by current sources during the step (played by
Vector.play). `spk` is 1 during the step in which the cell fired, else 0; a WATCH on it turns
it into an output event (net_event) at the end of that step.
Units: mV, ms, nA, nF.
ENDCOMMENT

NEURON {
    POINT_PROCESS PyNN_IF_curr
    RANGE v_rest, cm, tau_m, tau_refrac, tau_syn_E, tau_syn_I, i_offset, v_reset, v_thresh
    RANGE shape, vm, ie, ii, ye, yi, jump, i_inj, spk, refr
    RANGE init_vm, init_ie, init_ii
    RANGE key_dt, key_tm, key_cm, key_te, key_ti, p33, p30, p11e, p11i, p32e, p32i, p31e, p31i
}

INCLUDE "pynn_stdp.inc"
INCLUDE "pynn_stochastic.inc"
INCLUDE "pynn_tsodyks.inc"

PARAMETER {
    v_rest = -65
    cm = 1
    tau_m = 20
    tau_refrac = 0.1
    tau_syn_E = 5
    tau_syn_I = 5
    i_offset = 0
    v_reset = -65
    v_thresh = -50
    shape = 0
    init_vm = -65
    init_ie = 0
    init_ii = 0
}

ASSIGNED {
    i_inj
    key_dt key_tm key_cm key_te key_ti
    p33 p30 p11e p11i p32e p32i p31e p31i
}

STATE { vm ie ii ye yi jump spk refr }

INITIAL {
    vm = init_vm
    ie = init_ie
    ii = init_ii
    ye = 0
    yi = 0
    jump = 0
    spk = 0
    refr = 0
    key_dt = -1
    nspk = 0
    random_setseq(r, 0)
    net_send(0, 1)  : arms the WATCH that turns spk into an output event
}

BREAKPOINT {
    SOLVE advance
}

PROCEDURE advance() {
    LOCAL V
    if (key_dt != dt || key_tm != tau_m || key_cm != cm || key_te != tau_syn_E || key_ti != tau_syn_I) {
        propagators()
    }
    spk = 0
    if (refr > 0.5) {
        refr = refr - 1
        vm = v_reset
    } else {
        V = vm - v_rest
        V = p33*V + p30*(i_offset + i_inj) + p32e*ie + p32i*ii + p31e*ye + p31i*yi
        vm = V + v_rest + jump
    }
    jump = 0
    if (shape == 1) {
        ie = (ie + dt*ye)*p11e
        ye = ye*p11e
        ii = (ii + dt*yi)*p11i
        yi = yi*p11i
    } else {
        ie = ie*p11e
        ii = ii*p11i
    }
    if (vm >= v_thresh) {
        vm = v_reset
        refr = -floor(-tau_refrac/dt + 1e-6) : whole steps counted up, as NEST
        spk = 1
        stdp_record_spike()
    }
}

PROCEDURE propagators() {
    p33 = exp(-dt/tau_m)
    p30 = tau_m/cm*(1 - p33)
    p11e = exp(-dt/tau_syn_E)
    p11i = exp(-dt/tau_syn_I)
    p32e = kexp(tau_syn_E)
    p32i = kexp(tau_syn_I)
    p31e = kalpha(tau_syn_E)
    p31i = kalpha(tau_syn_I)
    key_dt = dt
    key_tm = tau_m
    key_cm = cm
    key_te = tau_syn_E
    key_ti = tau_syn_I
}

FUNCTION kexp(ts) {
    : membrane response after one step to a synaptic current exp(-s/ts) of 1 nA at s = 0
    LOCAL a, x
    a = 1/ts - 1/tau_m
    x = a*dt
    if (fabs(x) < 1e-6) {
        kexp = p33*dt*(1 - x/2)/cm
    } else {
        kexp = p33*(1 - exp(-x))/(a*cm)
    }
}

FUNCTION kalpha(ts) {
    : membrane response after one step to a synaptic current s*exp(-s/ts) (derivative 1 nA/ms at s = 0)
    LOCAL a, x
    a = 1/ts - 1/tau_m
    x = a*dt
    if (fabs(x) < 1e-4) {
        kalpha = p33*dt*dt*(0.5 - x/3 + x*x/8)/cm
    } else {
        kalpha = p33*(1 - exp(-x)*(1 + x))/(a*a*cm)
    }
}

PROCEDURE receive(we, port) {
    : an incoming event (NET_RECEIVE in pynn_synapse.inc) with effective weight we (nA or mV)
    if (shape == 2) {
        if (refr < 0.5) {
            jump = jump + we
        }
    } else if (we >= 0) {
        if (shape == 1) {
            ye = ye + we*exp(1)/tau_syn_E
        } else {
            ie = ie + we
        }
    } else {
        if (shape == 1) {
            yi = yi + we*exp(1)/tau_syn_I
        } else {
            ii = ii + we
        }
    }
}

INCLUDE "pynn_synapse.inc"
