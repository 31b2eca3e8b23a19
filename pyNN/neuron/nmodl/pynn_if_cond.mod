COMMENT
Leaky integrate-and-fire cell with conductance-based synapses (written for the
pyNN.neuron backend), optionally with spike-triggered adaptation (g_s) and relative
refractory (g_r) conductances.

A point process holding its own membrane potential `vm`. Once per time step the
conductances are propagated exactly; `vm` is integrated with the classical 4th-order
Runge-Kutta method over `nsub` sub-steps, using the exact conductance time courses
within the step. Synaptic shapes: shape = 0 exponential (jump of weight uS),
shape = 1 alpha function (peak of weight uS at tau_syn). Positive weights go to the
excitatory conductance, negative ones (magnitude) to the inhibitory conductance.
Units: mV, ms, nA, nF, uS; q_sfa, q_rr, gs, gr in nS.
ge_start, gi_start: ge, gi at the start of the step, after the events due then (what
pyNN records as gsyn_exc, gsyn_inh: NEURON records a step's sample before it delivers
the events due at that time; see pyNN/neuron/recording.py).
ENDCOMMENT

NEURON {
    POINT_PROCESS PyNN_IF_cond
    RANGE v_rest, cm, tau_m, tau_refrac, tau_syn_E, tau_syn_I, e_rev_E, e_rev_I
    RANGE v_thresh, v_reset, i_offset
    RANGE tau_sfa, e_rev_sfa, q_sfa, tau_rr, e_rev_rr, q_rr
    RANGE shape, nsub, vm, ge, gi, ye, yi, gs, gr, i_inj, spk, refr
    RANGE init_vm, init_ge, init_gi, init_gs, init_gr
    RANGE gtot_, gsum_, ge_start, gi_start
    RANGE key_dt, key_te, key_ti, key_ts, key_tr, key_ns, de_, di_, ds_, dr_
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
    e_rev_E = 0
    e_rev_I = -70
    v_thresh = -50
    v_reset = -65
    i_offset = 0
    tau_sfa = 100
    e_rev_sfa = -75
    q_sfa = 0
    tau_rr = 2
    e_rev_rr = -75
    q_rr = 0
    shape = 0
    nsub = 2
    init_vm = -65
    init_ge = 0
    init_gi = 0
    init_gs = 0
    init_gr = 0
}

ASSIGNED {
    i_inj
    key_dt key_te key_ti key_ts key_tr key_ns de_ di_ ds_ dr_
    gtot_ gsum_ ge_start gi_start
}

STATE { vm ge gi ye yi gs gr spk refr }

INITIAL {
    vm = init_vm
    ge = init_ge
    gi = init_gi
    gs = init_gs
    gr = init_gr
    ye = 0
    yi = 0
    ge_start = ge
    gi_start = gi
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

PROCEDURE conductances(s, fe, fi, fs, fr) {
    : total conductance (uS) and sum of g*E plus currents (nA) at time s after the start of
    : the step; fe, fi, fs, fr are the decay factors of the conductances over s
    LOCAL g_e, g_i, g_a
    if (shape == 1) {
        g_e = (ge + s*ye)*fe
        g_i = (gi + s*yi)*fi
    } else {
        g_e = ge*fe
        g_i = gi*fi
    }
    gtot_ = cm/tau_m + g_e + g_i
    gsum_ = cm/tau_m*v_rest + g_e*e_rev_E + g_i*e_rev_I + i_offset + i_inj
    if (gs != 0 || gr != 0) {
        g_a = 0.001*gs*fs
        gtot_ = gtot_ + g_a
        gsum_ = gsum_ + g_a*e_rev_sfa
        g_a = 0.001*gr*fr
        gtot_ = gtot_ + g_a
        gsum_ = gsum_ + g_a*e_rev_rr
    }
}

PROCEDURE decay_factors() {
    : decay of each conductance over half a sub-step (recomputed when dt or a tau changes)
    de_ = exp(-dt/(2*nsub*tau_syn_E))
    di_ = exp(-dt/(2*nsub*tau_syn_I))
    ds_ = exp(-dt/(2*nsub*tau_sfa))
    dr_ = exp(-dt/(2*nsub*tau_rr))
    key_dt = dt
    key_te = tau_syn_E
    key_ti = tau_syn_I
    key_ts = tau_sfa
    key_tr = tau_rr
    key_ns = nsub
}

PROCEDURE advance() {
    LOCAL h, s, k, k1, k2, k3, k4, fe, fi, fs, fr, ga, gb, gc, sa, sb, sc
    if (key_dt != dt || key_te != tau_syn_E || key_ti != tau_syn_I || key_ts != tau_sfa || key_tr != tau_rr || key_ns != nsub) {
        decay_factors()
    }
    ge_start = ge
    gi_start = gi
    spk = 0
    fe = 1
    fi = 1
    fs = 1
    fr = 1
    if (refr > 0.5) {
        refr = refr - 1
        vm = v_reset
        FROM k = 1 TO 2*nsub {
            fe = fe*de_
            fi = fi*di_
            fs = fs*ds_
            fr = fr*dr_
        }
    } else {
        h = dt/nsub
        s = 0
        conductances(s, fe, fi, fs, fr)
        FROM k = 1 TO nsub {
            ga = gtot_
            sa = gsum_
            fe = fe*de_
            fi = fi*di_
            fs = fs*ds_
            fr = fr*dr_
            conductances(s + h/2, fe, fi, fs, fr)
            gb = gtot_
            sb = gsum_
            fe = fe*de_
            fi = fi*di_
            fs = fs*ds_
            fr = fr*dr_
            conductances(s + h, fe, fi, fs, fr)
            gc = gtot_
            sc = gsum_
            k1 = (sa - ga*vm)/cm
            k2 = (sb - gb*(vm + h/2*k1))/cm
            k3 = (sb - gb*(vm + h/2*k2))/cm
            k4 = (sc - gc*(vm + h*k3))/cm
            vm = vm + h/6*(k1 + 2*k2 + 2*k3 + k4)
            s = s + h
        }
    }
    : fe, fi, fs, fr are now the decay factors over the whole step
    if (shape == 1) {
        ge = (ge + dt*ye)*fe
        ye = ye*fe
        gi = (gi + dt*yi)*fi
        yi = yi*fi
    } else {
        ge = ge*fe
        gi = gi*fi
    }
    gs = gs*fs
    gr = gr*fr
    if (vm >= v_thresh) {
        vm = v_reset
        refr = -floor(-tau_refrac/dt + 1e-6) : whole steps counted up, as NEST
        gs = gs + q_sfa
        gr = gr + q_rr
        spk = 1
        stdp_record_spike()
    }
}

INCLUDE "pynn_receive_cond.inc"
INCLUDE "pynn_synapse.inc"
