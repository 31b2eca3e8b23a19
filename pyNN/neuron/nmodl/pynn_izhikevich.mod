COMMENT
Izhikevich (2003) cell written for the pyNN.neuron backend, updated once per time step
with the forward-Euler scheme of the original model (as NEST's izhikevich does):
  v' = 0.04 v^2 + 5 v + 140 - u + I,  u' = a (b v - u)
with I = 1000 * (i_offset + i_inj) (input currents in nA, taken as pA in the equation).
Incoming spikes add their weight (mV) to v at the end of the step. When v >= 30 mV the
cell fires: v = c, u = u + d.
ENDCOMMENT

NEURON {
    POINT_PROCESS PyNN_Izhikevich
    RANGE a, b, c, d, i_offset, vm, u, jump, i_inj, spk, init_vm, init_u
}

INCLUDE "pynn_stdp.inc"
INCLUDE "pynn_stochastic.inc"
INCLUDE "pynn_tsodyks.inc"

PARAMETER {
    a = 0.02
    b = 0.2
    c = -65
    d = 2
    i_offset = 0
    init_vm = -70
    init_u = -14
}

ASSIGNED { i_inj }

STATE { vm u jump spk }

INITIAL {
    vm = init_vm
    u = init_u
    jump = 0
    spk = 0
    nspk = 0
    random_setseq(r, 0)
    net_send(0, 1)  : arms the WATCH that turns spk into an output event
}

BREAKPOINT {
    SOLVE advance
}

PROCEDURE advance() {
    LOCAL v0, u0
    v0 = vm
    u0 = u
    spk = 0
    vm = v0 + dt*(0.04*v0*v0 + 5*v0 + 140 - u0 + 1000*(i_offset + i_inj)) + jump
    u = u0 + dt*a*(b*v0 - u0)
    jump = 0
    if (vm >= 30) {
        vm = c
        u = u + d
        spk = 1
        stdp_record_spike()
    }
}

PROCEDURE receive(we, port) {
    : an incoming event (NET_RECEIVE in pynn_synapse.inc): a jump of we mV, added to vm at
    : the end of the step
    jump = jump + we
}

INCLUDE "pynn_synapse.inc"
