COMMENT
Point neuron with named receptors (PyNN's PointNeuron), written for the pyNN.neuron
backend: a LIF (delta_T = 0, a = b = 0) or adaptive exponential (AdExp) membrane with
up to 6 receptors, each of one kind (rkind):
  rkind = 0: current, exponential (jump of weight nA, decay tau1)
  rkind = 1: conductance, exponential (jump of weight uS, decay tau1)
  rkind = 2: conductance, alpha function (peak of weight uS at tau1)
  rkind = 3: conductance, difference of exponentials (rise tau1, decay tau2, peak = weight)
Events carry the receptor index in their `port` slot (pynn_synapse.inc). The backend delivers
them one step early (NetCon delay = synaptic delay - dt): an event is held in p1[k], p2[k]
and added to the receptor's state at the end of the step ending at its arrival time, so the
receptor acts from its arrival on and `out[k]`, which NEURON records at the end of each step
before it delivers that time's events, holds the jump in the sample at the arrival time.
Once per time step (vm, w) are integrated with
4th-order Runge-Kutta over `nsub` sub-steps using the exact receptor time courses; the
cell fires when vm reaches v_spike (v_thresh when delta_T = 0), is reset to v_reset,
w jumps by b and vm is held for tau_refrac. `out[k]` is the current (nA) or conductance
(uS) of receptor k at the end of the step, arrivals at that time included.
Units: mV, ms, nA, nF, uS; a in nS.
ENDCOMMENT

DEFINE NREC 6

NEURON {
    POINT_PROCESS PyNN_PointNeuron
    RANGE cm, tau_refrac, v_spike, v_reset, v_rest, tau_m, i_offset, a, b, delta_T, tau_w, v_thresh
    RANGE nrec, rkind, tau1, tau2, e_syn, nsub
    RANGE vm, w, x1, x2, p1, p2, out, i_inj, spk, refr, init_vm, init_w, init_out
    RANGE norm_, rate_v, rate_w, isyn_, gsyn_, gesyn_
}

INCLUDE "pynn_stdp.inc"
INCLUDE "pynn_stochastic.inc"
INCLUDE "pynn_tsodyks.inc"

PARAMETER {
    cm = 1
    tau_refrac = 0.1
    v_spike = -40
    v_reset = -65
    v_rest = -65
    tau_m = 20
    i_offset = 0
    a = 0
    b = 0
    delta_T = 0
    tau_w = 144
    v_thresh = -50
    nrec = 0
    nsub = 4
    init_vm = -65
    init_w = 0
}

ASSIGNED {
    rkind[NREC] tau1[NREC] tau2[NREC] e_syn[NREC] init_out[NREC] norm_[NREC]
    i_inj rate_v rate_w isyn_ gsyn_ gesyn_
}

STATE { vm w x1[NREC] x2[NREC] p1[NREC] p2[NREC] out[NREC] spk refr }

INITIAL {
    LOCAL k
    vm = init_vm
    w = init_w
    FROM k = 0 TO NREC - 1 {
        x1[k] = init_out[k]
        x2[k] = 0
        p1[k] = 0
        p2[k] = 0
        out[k] = init_out[k]
    }
    spk = 0
    refr = 0
    nspk = 0
    random_setseq(r, 0)
    net_send(0, 1)  : arms the WATCH that turns spk into an output event
}

BREAKPOINT {
    SOLVE advance
}

FUNCTION beta_norm(tr, td) {
    : 1 / peak of exp(-s/td) - exp(-s/tr)
    LOCAL tp
    if (fabs(td - tr) < 1e-9*td) {
        beta_norm = exp(1)
    } else {
        tp = tr*td/(td - tr)*log(td/tr)
        beta_norm = 1/(exp(-tp/td) - exp(-tp/tr))
    }
}

PROCEDURE receptors(s) {
    : sums over the receptors at time s after the start of the step: currents (isyn_),
    : conductances (gsyn_) and conductance times reversal potential (gesyn_)
    LOCAL k, g
    isyn_ = 0
    gsyn_ = 0
    gesyn_ = 0
    FROM k = 0 TO nrec - 1 {
        if (rkind[k] == 0) {
            isyn_ = isyn_ + x1[k]*exp(-s/tau1[k])
        } else {
            if (rkind[k] == 1) {
                g = x1[k]*exp(-s/tau1[k])
            } else if (rkind[k] == 2) {
                g = (x1[k] + s*x2[k])*exp(-s/tau1[k])
            } else {
                g = x1[k]*exp(-s/tau2[k]) - x2[k]*exp(-s/tau1[k])
            }
            gsyn_ = gsyn_ + g
            gesyn_ = gesyn_ + g*e_syn[k]
        }
    }
}

PROCEDURE slopes(vv, ww, clamp) {
    LOCAL gl, vx, iexp
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
        rate_v = (gl*(v_rest - vv) + iexp + gesyn_ - gsyn_*vv + isyn_ - ww + i_offset + i_inj)/cm
    }
    rate_w = (0.001*a*(vv - v_rest) - ww)/tau_w
}

PROCEDURE advance() {
    LOCAL h, s, k, kv1, kv2, kv3, kv4, kw1, kw2, kw3, kw4, clamp, vpeak, f1, f2
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
        receptors(s)
        slopes(vm, w, clamp)
        kv1 = rate_v
        kw1 = rate_w
        receptors(s + h/2)
        slopes(vm + h/2*kv1, w + h/2*kw1, clamp)
        kv2 = rate_v
        kw2 = rate_w
        slopes(vm + h/2*kv2, w + h/2*kw2, clamp)
        kv3 = rate_v
        kw3 = rate_w
        receptors(s + h)
        slopes(vm + h*kv3, w + h*kw3, clamp)
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
    : propagate each receptor to the end of the step, then add the events arriving then
    FROM k = 0 TO nrec - 1 {
        f1 = exp(-dt/tau1[k])
        if (rkind[k] == 2) {
            x1[k] = (x1[k] + dt*x2[k])*f1
            x2[k] = x2[k]*f1 + p2[k]
            out[k] = x1[k]
        } else if (rkind[k] == 3) {
            f2 = exp(-dt/tau2[k])
            x1[k] = x1[k]*f2 + p1[k]
            x2[k] = x2[k]*f1 + p2[k]
            out[k] = x1[k] - x2[k]
        } else {
            x1[k] = x1[k]*f1 + p1[k]
            out[k] = x1[k]
        }
        p1[k] = 0
        p2[k] = 0
    }
}

PROCEDURE receive(we, port) {
    : an incoming event (NET_RECEIVE in pynn_synapse.inc) for receptor number `port`, one
    : step before its arrival: held until the end of this step (see advance)
    LOCAL k
    k = port
    if (k >= 0 && k < nrec) {
        if (rkind[k] == 2) {
            p2[k] = p2[k] + we*exp(1)/tau1[k]
        } else if (rkind[k] == 3) {
            p1[k] = p1[k] + we*beta_norm(tau1[k], tau2[k])
            p2[k] = p2[k] + we*beta_norm(tau1[k], tau2[k])
        } else {
            p1[k] = p1[k] + we
        }
    }
}

INCLUDE "pynn_synapse.inc"
