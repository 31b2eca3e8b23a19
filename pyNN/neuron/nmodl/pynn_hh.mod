COMMENT
Single-compartment Hodgkin-Huxley cell with the Traub & Miles (1991) sodium and
potassium kinetics and exponential conductance-based synapses, written for the
pyNN.neuron backend (the equations of NEST's hh_cond_exp_traub).

A point process holding its own state (vm, m, n, h); once per time step the state is
integrated with the classical 4th-order Runge-Kutta method over `nsub` sub-steps, using
the exact synaptic conductance time courses. A spike is emitted in the step in which vm,
above v_offset + 30 mV, starts to fall; no new spike is emitted for 2 ms after it.
Units: mV, ms, nA, nF, uS.
ge_start, gi_start: ge, gi at the start of the step, after the events due then (what
pyNN records as gsyn_exc, gsyn_inh: NEURON records a step's sample before it delivers
the events due at that time; see pyNN/neuron/recording.py).
ENDCOMMENT

NEURON {
    POINT_PROCESS PyNN_HH
    RANGE gbar_Na, gbar_K, g_leak, cm, v_offset, e_rev_Na, e_rev_K, e_rev_leak
    RANGE e_rev_E, e_rev_I, tau_syn_E, tau_syn_I, i_offset, t_ref
    RANGE nsub, vm, m, n, h, ge, gi, i_inj, spk, refr
    RANGE init_vm, init_m, init_n, init_h, init_ge, init_gi
    RANGE rate_v, rate_m, rate_n, rate_h, ge_start, gi_start
}

INCLUDE "pynn_stdp.inc"
INCLUDE "pynn_stochastic.inc"
INCLUDE "pynn_tsodyks.inc"

PARAMETER {
    gbar_Na = 20
    gbar_K = 6
    g_leak = 0.01
    cm = 0.2
    v_offset = -63
    e_rev_Na = 50
    e_rev_K = -90
    e_rev_leak = -65
    e_rev_E = 0
    e_rev_I = -80
    tau_syn_E = 0.2
    tau_syn_I = 2
    i_offset = 0
    t_ref = 2
    nsub = 10
    init_vm = -65
    init_m = 0
    init_n = 0
    init_h = 1
    init_ge = 0
    init_gi = 0
}

ASSIGNED { i_inj rate_v rate_m rate_n rate_h ge_start gi_start }

STATE { vm m n h ge gi spk refr }

INITIAL {
    vm = init_vm
    m = init_m
    n = init_n
    h = init_h
    ge = init_ge
    gi = init_gi
    ge_start = ge
    gi_start = gi
    spk = 0
    refr = 0
    nspk = 0
    random_setseq(r, 0)
    net_send(0, 1)  : arms the WATCH that turns spk into an output event
}

BREAKPOINT {
    SOLVE advance
}

FUNCTION vtrap(x, y) {
    : x / (exp(x/y) - 1), continuous at x = 0
    if (fabs(x/y) < 1e-6) {
        vtrap = y*(1 - x/y/2)
    } else {
        vtrap = x/(exp(x/y) - 1)
    }
}

PROCEDURE slopes(s, vv, mm, nn, hh) {
    LOCAL u, g_e, g_i, am, bm, an, bn, ah, bh
    g_e = ge*exp(-s/tau_syn_E)
    g_i = gi*exp(-s/tau_syn_I)
    u = vv - v_offset
    am = 0.32*vtrap(13 - u, 4)
    bm = 0.28*vtrap(u - 40, 5)
    an = 0.032*vtrap(15 - u, 5)
    bn = 0.5*exp((10 - u)/40)
    ah = 0.128*exp((17 - u)/18)
    bh = 4/(1 + exp((40 - u)/5))
    rate_v = (gbar_Na*mm*mm*mm*hh*(e_rev_Na - vv) + gbar_K*nn*nn*nn*nn*(e_rev_K - vv) + g_leak*(e_rev_leak - vv) + g_e*(e_rev_E - vv) + g_i*(e_rev_I - vv) + i_offset + i_inj)/cm
    rate_m = am*(1 - mm) - bm*mm
    rate_n = an*(1 - nn) - bn*nn
    rate_h = ah*(1 - hh) - bh*hh
}

PROCEDURE advance() {
    LOCAL hs, s, k, v0, kv1, kv2, kv3, kv4, km1, km2, km3, km4, kn1, kn2, kn3, kn4, kh1, kh2, kh3, kh4
    ge_start = ge
    gi_start = gi
    spk = 0
    v0 = vm
    hs = dt/nsub
    s = 0
    FROM k = 1 TO nsub {
        slopes(s, vm, m, n, h)
        kv1 = rate_v
        km1 = rate_m
        kn1 = rate_n
        kh1 = rate_h
        slopes(s + hs/2, vm + hs/2*kv1, m + hs/2*km1, n + hs/2*kn1, h + hs/2*kh1)
        kv2 = rate_v
        km2 = rate_m
        kn2 = rate_n
        kh2 = rate_h
        slopes(s + hs/2, vm + hs/2*kv2, m + hs/2*km2, n + hs/2*kn2, h + hs/2*kh2)
        kv3 = rate_v
        km3 = rate_m
        kn3 = rate_n
        kh3 = rate_h
        slopes(s + hs, vm + hs*kv3, m + hs*km3, n + hs*kn3, h + hs*kh3)
        kv4 = rate_v
        km4 = rate_m
        kn4 = rate_n
        kh4 = rate_h
        vm = vm + hs/6*(kv1 + 2*kv2 + 2*kv3 + kv4)
        m = m + hs/6*(km1 + 2*km2 + 2*km3 + km4)
        n = n + hs/6*(kn1 + 2*kn2 + 2*kn3 + kn4)
        h = h + hs/6*(kh1 + 2*kh2 + 2*kh3 + kh4)
        s = s + hs
    }
    ge = ge*exp(-dt/tau_syn_E)
    gi = gi*exp(-dt/tau_syn_I)
    if (refr > 0.5) {
        refr = refr - 1
    } else if (vm >= v_offset + 30 && v0 > vm) {
        spk = 1
        refr = floor(t_ref/dt + 0.5)
        stdp_record_spike()
    }
}

INCLUDE "pynn_receive_exp.inc"
INCLUDE "pynn_synapse.inc"
