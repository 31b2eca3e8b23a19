COMMENT
Generalized integrate-and-fire cell with escape noise (Mensi et al. 2012; Pozzorini
et al. 2015) and exponential conductance-based synapses, written for the pyNN.neuron
backend with the update order of NEST's gif_cond_exp.

Each step: the spike-triggered current i_eta (sum of n_eta exponentials, nA) and the
threshold movement (sum of n_gamma exponentials, mV) are summed and then decay; unless
refractory, vm is integrated (4th-order Runge-Kutta, `nsub` sub-steps, exact conductance
time courses) with i_eta held for the step; the cell then fires with probability
1 - exp(-lambda dt), lambda = lambda0 exp((vm - v_t)/delta_v), v_t = v_t_star + threshold
movement. A spike adds a_eta[k] and a_gamma[k] to the kernels, resets vm and holds it for
tau_refrac. Random numbers come from the mechanism's own RANDOM stream.
Units: mV, ms, nA, nF, uS; lambda0 in Hz.
ge_start, gi_start: ge, gi at the start of the step, after the events due then (what
pyNN records as gsyn_exc, gsyn_inh: NEURON records a step's sample before it delivers
the events due at that time; see pyNN/neuron/recording.py).
ENDCOMMENT

DEFINE NK 5

NEURON {
    POINT_PROCESS PyNN_GIF
    RANGE v_rest, cm, tau_m, tau_refrac, tau_syn_E, tau_syn_I, e_rev_E, e_rev_I, v_reset, i_offset
    RANGE delta_v, v_t_star, lambda0, n_eta, n_gamma, tau_eta, a_eta, tau_gamma, a_gamma, nsub
    RANGE vm, ge, gi, eta, gamma, i_eta, v_t, i_inj, spk, refr
    RANGE init_vm, init_ge, init_gi, init_i_eta, init_v_t, gtot_, gsum_, ge_start, gi_start
    : RANDOM r: declared by pynn_stochastic.inc (the same stream draws the stochastic inputs' release)
}

INCLUDE "pynn_stdp.inc"
INCLUDE "pynn_stochastic.inc"
INCLUDE "pynn_tsodyks.inc"

PARAMETER {
    v_rest = -65
    cm = 1
    tau_m = 20
    tau_refrac = 4
    tau_syn_E = 5
    tau_syn_I = 5
    e_rev_E = 0
    e_rev_I = -70
    v_reset = -65
    i_offset = 0
    delta_v = 0.5
    v_t_star = -48
    lambda0 = 1
    n_eta = 0
    n_gamma = 0
    nsub = 2
    init_vm = -65
    init_ge = 0
    init_gi = 0
    init_i_eta = 0
    init_v_t = -48
}

ASSIGNED {
    tau_eta[NK] a_eta[NK] tau_gamma[NK] a_gamma[NK]
    i_inj gtot_ gsum_ ge_start gi_start
}

STATE { vm ge gi eta[NK] gamma[NK] i_eta v_t spk refr }

INITIAL {
    LOCAL k
    random_setseq(r, 0)
    nspk = 0
    vm = init_vm
    ge = init_ge
    gi = init_gi
    ge_start = ge
    gi_start = gi
    FROM k = 0 TO NK - 1 {
        eta[k] = 0
        gamma[k] = 0
    }
    : non-default initial values go to the first kernel of each sum
    eta[0] = init_i_eta
    gamma[0] = init_v_t - v_t_star
    i_eta = init_i_eta
    v_t = init_v_t
    spk = 0
    refr = 0
    net_send(0, 1)  : arms the WATCH that turns spk into an output event
}

BREAKPOINT {
    SOLVE advance
}

PROCEDURE conductances(s) {
    LOCAL g_e, g_i
    g_e = ge*exp(-s/tau_syn_E)
    g_i = gi*exp(-s/tau_syn_I)
    gtot_ = cm/tau_m + g_e + g_i
    gsum_ = cm/tau_m*v_rest + g_e*e_rev_E + g_i*e_rev_I + i_offset + i_inj - i_eta
}

PROCEDURE advance() {
    LOCAL h, s, k, k1, k2, k3, k4, ga, gb, gc, sa, sb, sc, moved, lambda
    ge_start = ge
    gi_start = gi
    spk = 0
    i_eta = 0
    moved = 0
    FROM k = 0 TO n_eta - 1 {
        i_eta = i_eta + eta[k]
        eta[k] = eta[k]*exp(-dt/tau_eta[k])
    }
    FROM k = 0 TO n_gamma - 1 {
        moved = moved + gamma[k]
        gamma[k] = gamma[k]*exp(-dt/tau_gamma[k])
    }
    v_t = v_t_star + moved
    if (refr > 0.5) {
        refr = refr - 1
        vm = v_reset
    } else {
        h = dt/nsub
        s = 0
        FROM k = 1 TO nsub {
            conductances(s)
            ga = gtot_
            sa = gsum_
            conductances(s + h/2)
            gb = gtot_
            sb = gsum_
            conductances(s + h)
            gc = gtot_
            sc = gsum_
            k1 = (sa - ga*vm)/cm
            k2 = (sb - gb*(vm + h/2*k1))/cm
            k3 = (sb - gb*(vm + h/2*k2))/cm
            k4 = (sc - gc*(vm + h*k3))/cm
            vm = vm + h/6*(k1 + 2*k2 + 2*k3 + k4)
            s = s + h
        }
        lambda = 0.001*lambda0*exp((vm - v_t)/delta_v)
        if (lambda > 0) {
            if (random_uniform(r) < 1 - exp(-lambda*dt)) {
                spk = 1
                stdp_record_spike()
                vm = v_reset
                refr = -floor(-tau_refrac/dt + 1e-6) : whole steps counted up, as NEST
                FROM k = 0 TO n_eta - 1 {
                    eta[k] = eta[k] + a_eta[k]
                }
                FROM k = 0 TO n_gamma - 1 {
                    gamma[k] = gamma[k] + a_gamma[k]
                }
            }
        }
    }
    ge = ge*exp(-dt/tau_syn_E)
    gi = gi*exp(-dt/tau_syn_I)
}

INCLUDE "pynn_receive_exp.inc"
INCLUDE "pynn_synapse.inc"
