COMMENT
Relay for the pyNN.neuron backend: emits a spike at the time of every event it
receives with a positive weight. SpikeSourceArray cells are relays fed with their
spike times by the backend (events with weight 0 have been withdrawn and are ignored).
ENDCOMMENT

NEURON {
    ARTIFICIAL_CELL PyNN_Relay
}

NET_RECEIVE (w) {
    if (w > 0) {
        net_event(t)
    }
}
