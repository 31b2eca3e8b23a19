COMMENT
Adaptive exponential integrate-and-fire cell (Brette & Gerstner 2005) with
conductance-based synapses, written for the pyNN.neuron backend.

A point process holding its own state (vm, w). Once per time step (v, w) are
integrated with the classical 4th-order Runge-Kutta method over `nsub` sub-steps using
the exact conductance time courses; the cell fires as soon as vm reaches the peak
(v_spike, or v_thresh when delta_T = 0) at the end of a sub-step: vm is reset, w jumps
by b and vm is held at v_reset for tau_refrac (counted up to whole steps, as NEST).
Synaptic shapes: shape = 0 exponential, shape = 1 alpha function (peak = weight).
Units: mV, ms, nA, nF, uS; a in nS.
ge_start, gi_start: ge, gi at the start of the step, after the events due then (what
pyNN records as gsyn_exc, gsyn_inh: NEURON records a step's sample before it delivers
the events due at that time; see pyNN/neuron/recording.py).
ENDCOMMENT

NEURON {
    POINT_PROCESS PyNN_AdExp
    RANGE cm, tau_refrac, v_spike, v_reset, v_rest, tau_m, i_offset, a, b, delta_T, tau_w
    RANGE v_thresh, e_rev_E, tau_syn_E, e_rev_I, tau_syn_I
    RANGE shape, nsub, vm, w, ge, gi, ye, yi, i_inj, spk, refr
    RANGE init_vm, init_w, init_ge, init_gi
    RANGE rate_v, rate_w, ge_start, gi_start
}

INCLUDE "pynn_stdp.inc"
INCLUDE "pynn_stochastic.inc"
INCLUDE "pynn_tsodyks.inc"

PARAMETER {
    cm = 0.281
    tau_refrac = 0.1
    v_spike = -40
    v_reset = -70.6
    v_rest = -70.6
    tau_m = 9.3667
    i_offset = 0
    a = 4
    b = 0.0805
    delta_T = 2
    tau_w = 144
    v_thresh = -50.4
    e_rev_E = 0
    tau_syn_E = 5
    e_rev_I = -80
    tau_syn_I = 5
    shape = 0
    nsub = 4
    init_vm = -70.6
    init_w = 0
    init_ge = 0
    init_gi = 0
}

ASSIGNED {
    i_inj rate_v rate_w ge_start gi_start
}

STATE { vm w ge gi ye yi spk refr }

INITIAL {
    vm = init_vm
    w = init_w
    ge = init_ge
    gi = init_gi
    ye = 0
    yi = 0
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

PROCEDURE slopes(s, vv, ww, clamp) {
    : dv/dt and dw/dt at time s after the start of the step
    LOCAL g_e, g_i, gl, vx, iexp
    if (shape == 1) {
        g_e = (ge + s*ye)*exp(-s/tau_syn_E)
        g_i = (gi + s*yi)*exp(-s/tau_syn_I)
    } else {
        g_e = ge*exp(-s/tau_syn_E)
        g_i = gi*exp(-s/tau_syn_I)
    }
    gl = cm/tau_m
    iexp = 0
    if (delta_T > 0) {
        vx = vv
        if (vx > v_spike) {
            vx = v_spike
        }
        iexp = gl*delta_T*exp((vx - v_thresh)/delta_T)
    }
    if (clamp > 0.5) {
        rate_v = 0
    } else {
        rate_v = (gl*(v_rest - vv) + iexp + g_e*(e_rev_E - vv) + g_i*(e_rev_I - vv) - ww + i_offset + i_inj)/cm
    }
    rate_w = (0.001*a*(vv - v_rest) - ww)/tau_w
}

PROCEDURE advance() {
    LOCAL h, s, k, kv1, kv2, kv3, kv4, kw1, kw2, kw3, kw4, clamp, vpeak, fe, fi
    ge_start = ge
    gi_start = gi
    spk = 0
    h = dt/nsub
    s = 0
    vpeak = v_spike
    if (delta_T <= 0) {
        vpeak = v_thresh
    }
    clamp = 0
    if (refr > 0.5) {
        refr = refr - 1
        vm = v_reset
        clamp = 1
    }
    FROM k = 1 TO nsub {
        slopes(s, vm, w, clamp)
        kv1 = rate_v
        kw1 = rate_w
        slopes(s + h/2, vm + h/2*kv1, w + h/2*kw1, clamp)
        kv2 = rate_v
        kw2 = rate_w
        slopes(s + h/2, vm + h/2*kv2, w + h/2*kw2, clamp)
        kv3 = rate_v
        kw3 = rate_w
        slopes(s + h, vm + h*kv3, w + h*kw3, clamp)
        kv4 = rate_v
        kw4 = rate_w
        vm = vm + h/6*(kv1 + 2*kv2 + 2*kv3 + kv4)
        w = w + h/6*(kw1 + 2*kw2 + 2*kw3 + kw4)
        s = s + h
        if (clamp < 0.5 && vm >= vpeak) {
            vm = v_reset
            w = w + b
            spk = 1
            clamp = 1
            stdp_record_spike()
            refr = -floor(-tau_refrac/dt + 1e-6) : whole steps counted up, as NEST
        }
    }
    fe = exp(-dt/tau_syn_E)
    fi = exp(-dt/tau_syn_I)
    if (shape == 1) {
        ge = (ge + dt*ye)*fe
        ye = ye*fe
        gi = (gi + dt*yi)*fi
        yi = yi*fi
    } else {
        ge = ge*fe
        gi = gi*fi
    }
}

INCLUDE "pynn_receive_cond.inc"
INCLUDE "pynn_synapse.inc"
