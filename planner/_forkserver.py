"""Imported by the solver pool's fork server when it starts (its preload): the fork
server then dies with the planner that started it (see :mod:`planner.orphans`)."""

from planner.orphans import arm_forkserver

arm_forkserver()
