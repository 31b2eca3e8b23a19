COMMENT
pynn_start_self_events(cell) delivers to the artificial cell `cell`, at the current time,
the event with flag 1 by which NEURON's IntFire2 and IntFire4 fire and schedule their
next firing, with the cell's spike output switched off during the delivery. From the
state their INITIAL block leaves, this does what that block does at the current time: it
sets the time of the last update (t0) to now and queues the self-event of the first
firing (net_send), filed in the cell's own self-event slot, where the cell's later
net_move() calls find it. (The output is switched off because the flag-1 branch of
IntFire2 emits a spike.)

The backend uses it for cells created after a run (see pyNN/neuron/reinit.py): their
INITIAL block runs within NEURON's finitialize() at time 0, whose event queue the
state-preserving re-initialisation then replaces by the saved one.
ENDCOMMENT

NEURON {
    SUFFIX nothing
}

PROCEDURE pynn_start_self_events() {
VERBATIM
    {
        /* (md1redef.h renames the member `prop` of Point_process to `_prop` in this file) */
        Point_process* pnt = ob2pntproc(*hoc_objgetarg(1));
        int type = _nrn_mechanism_get_type(pnt->_prop);
        void* output = pnt->presyn_;
        pnt->presyn_ = nullptr; /* net_event() sends nothing without it */
        /* no weight vector: the flag-1 branches do not read it, and the self-event they
           queue then carries none, as the one queued by INITIAL */
        (*pnt_receive[type])(pnt, nullptr, 1.0);
        pnt->presyn_ = output;
    }
ENDVERBATIM
}
