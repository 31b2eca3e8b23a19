COMMENT
Spike sources for the pyNN.neuron backend.

PyNN_Renewal: a renewal process on the time grid. Each interval is
dead + scale * (sum of `shape` unit-mean exponential draws), rounded to whole steps
(at least one step): shape = 1, dead = 0 gives a Poisson process of rate 1000/scale Hz;
shape = 1, dead > 0 a Poisson process with dead time; shape = k a gamma process. As NEST's
generators, the process starts alive and in its last stage: the first interval after
start is one draw of scale, without the dead time.
The process starts at `start` and emits no spike after start + duration. Draws come
from the mechanism's own RANDOM stream (Random123, ids set by the backend).
An external event (flag 0) restarts the process from the current time with the current
parameters; self-events carry a generation number so that the ones scheduled before a
restart are ignored.
ENDCOMMENT

NEURON {
    ARTIFICIAL_CELL PyNN_Renewal
    RANGE shape, scale, dead, start, duration, gen
    RANDOM r
}

PARAMETER {
    shape = 1
    scale = 1000
    dead = 0
    start = 0
    duration = 1e10
}

ASSIGNED { gen }

FUNCTION next_time(from) {
    LOCAL isi, k
    isi = dead
    FROM k = 1 TO shape {
        isi = isi + scale*random_negexp(r)
    }
    next_time = on_grid(from, isi)
}

FUNCTION first_interval_end(t0) {
    : as NEST's generators: the process starts alive (no dead time) and in the last stage
    : of a gamma process (one draw of rate 1000/scale)
    first_interval_end = on_grid(t0, scale*random_negexp(r))
}

FUNCTION on_grid(t0, interval) {
    LOCAL tn
    tn = floor((t0 + interval)/dt + 0.5)*dt
    if (tn < t0 + dt/2) {
        tn = t0 + dt
    }
    on_grid = tn
}

INITIAL {
    LOCAL tn
    random_setseq(r, 0)
    gen = 1
    tn = first_interval_end(start)
    if (tn <= start + duration + dt/2) {
        net_send(tn - t, gen)
    }
}

NET_RECEIVE (w) {
    LOCAL tn, from
    if (flag == 0) {
        gen = gen + 1
        from = t
        if (start > t) {
            from = start
        }
        tn = next_time(from)
        if (tn <= start + duration + dt/2) {
            net_send(tn - t, gen)
        }
    } else if (flag == gen) {
        net_event(t)
        tn = next_time(t)
        if (tn <= start + duration + dt/2) {
            net_send(tn - t, gen)
        }
    }
}
