"""One group of cells that receive the same current sources, and how its current is played.

The group's summed current, one value per step (index k acts during the step that starts
at k*dt), is kept in ``values`` (see ``State.prepare_injections``). It reaches the
``i_inj`` variable of the group's cells in one of two ways:

* a group made before the simulation has advanced (no step run since the last
  initialisation) plays ``values`` with ``Vector.play(ref, dt)``: NEURON starts that play
  with an event at the initialisation;
* a group made after a run (a source injected, or the groups made anew, at t > 0) cannot
  be started so: the state-preserving re-initialisation (reinit.py) restores the event
  queue saved before ``finitialize()``, which drops the starting event. Such a group is
  played *continuously* instead (``Vector.play(ref, tvec, discon)`` with an empty vector of
  discontinuities): NEURON then sets the variable on every step from the time vector, with
  no event at all. The cell mechanisms read ``i_inj`` in their SOLVE block, at the end of
  the step (NEURON's t is then (k+1)*dt up to rounding); the knots hold step k's value flat
  over ((k+0.5)*dt, (k+1.5)*dt), so the cells receive exactly ``y_k`` during step k, as with
  the step-wise play (whose value, set at the start of the step, is read at the same place).

  A continuous play is set up (``play_init``) by ``finitialize()`` for the length its
  vectors have then, and a ``SaveState`` restores the setup it saved. The backend therefore
  detaches the continuous plays before the state is saved and attaches them again after
  the save (``detach``/``attach``, called by reinit.py): ``finitialize()`` sets them up
  afresh and the restore leaves them alone. When their vectors must grow beyond what they
  hold (they grow by doubling), the backend asks for that re-initialisation again.

When the groups are made anew after a run, the old groups are retired (`retire`).
"""

import numpy as np

from pyNN.neuron.hoc import h as hoc


class InjectionGroup:
    """The summed current of a set of sources and the cells that receive it.

    Parameters
    ----------
    cells : list of (population, cell index)
    n_values : int
        Number of steps the current vector covers.
    continuous : bool
        True for a group made after a run (see the module docstring).
    """

    def __init__(self, cells, n_values, continuous):
        h = hoc()
        self.cells = cells
        self.values = h.Vector(n_values)
        self.continuous = continuous
        self._refs = [root._cells[i]._ref_i_inj for root, i in cells
                      if root._cells[i] is not None]  # (cells of other processes: None)
        if continuous:
            self._knot_times = h.Vector()
            self._knot_values = h.Vector()
            self._no_discontinuities = h.Vector()
            self._attached = False

    def start(self, dt):
        """Play a step-wise group (a continuous one is attached by the re-initialisation)."""
        if not self.continuous:
            for ref in self._refs:
                self.values.play(ref, dt)

    def update_knots(self, dt):
        """Write the knots of a continuous group from `values`. Returns True when their
        number changed (the play must then be set up again by a re-initialisation).

        The knots cover twice the steps needed when they must grow, so that a sequence of
        runs re-initialises only when the total length doubles; steps beyond `values` hold
        its last value (they are not reached before the vector is written again)."""
        if not self.continuous:
            return False
        y = self.values.as_numpy()
        capacity = int(self._knot_times.size()) // 2
        grew = capacity < y.size
        if grew:
            capacity = max(y.size, 2 * capacity)
            self._knot_times.resize(2 * capacity)
            self._knot_values.resize(2 * capacity)
            k = np.arange(capacity)
            times = self._knot_times.as_numpy()
            # the cell mechanisms read i_inj in their SOLVE block, after NEURON has advanced t
            # to the end of the step, (k+1)*dt up to rounding: step k's value is held flat
            # over ((k+0.5)*dt, (k+1.5)*dt), so that the rounding of t cannot pick a neighbour
            times[0::2] = (k + 0.5) * dt
            times[1::2] = (k + 1.5) * dt
        knots = self._knot_values.as_numpy()
        knots[:2 * y.size] = np.repeat(y, 2)
        knots[2 * y.size:] = y[-1] if y.size else 0.0
        return grew or not self._attached

    def attach(self):
        """Create the continuous plays (before finitialize(), after the state was saved)."""
        if self.continuous and not self._attached:
            for ref in self._refs:
                self._knot_values.play(ref, self._knot_times, self._no_discontinuities)
            self._attached = True

    def retire(self, step):
        """Stop this group at step `step` (its cells are taken over by new groups). A
        continuous play is removed at once; a step-wise play still has its next event in
        NEURON's queue (removing it would leave the queue pointing at a deleted object), so
        its vector is cut after that event's element: the play then ends by itself, and the
        new group's continuous play, which sets the variable later within the step,
        overrides it. Returns True when the play remains, to be removed at the next
        initialisation (`detach`)."""
        if self.continuous:
            self.detach()
            return False
        # the pending event is that of element `step` or, when NEURON delivered that one at
        # the very end of the run, of element `step + 1`: keep both, so that the event finds
        # its element (a cut at `step + 1` made psolve fail with a range error)
        self.values.resize(min(int(self.values.size()), step + 2))
        return True

    def detach(self):
        """Remove the plays of this group."""
        if self.continuous:
            self._knot_values.play_remove()
            self._attached = False
        else:
            self.values.play_remove()
