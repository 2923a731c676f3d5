"""Solver processes die with the planner that started them.

Why: a day's search runs in worker processes (:mod:`planner.routing.parallel`)
for its whole time limit.  When the planner (``cvp plan``, or the web server
running a planning job) is killed -- ``kill -9``, the OOM killer, a crash --
nothing tells the workers, and without this they burned a core each for the
rest of the limit and the pool's fork server stayed alive for good.

How (Linux): the kernel sends a process a chosen signal when its parent dies
(``prctl(PR_SET_PDEATHSIG)``).  The workers are children of the fork server,
not of the planner, so the chain is armed twice:

* the fork server, when it starts, imports :mod:`planner._forkserver`
  (a preload module), which arms SIGKILL for the death of the planner;
  it lives outside :mod:`planner.routing` on purpose: with the solver package
  loaded into the fork server before it forks, a worker returned another of
  two equal-cost plans than the same search in-process (measured), so the
  fork server loads nothing of the solver;
* each worker, in the pool's initializer (:func:`arm_worker`), arms SIGKILL
  for the death of the fork server.

So killing the planner kills the fork server, which kills the workers, with no
polling and no help from the Python code the workers are running (a solver
holding the GIL cannot stop it).  The planner's pid reaches the fork server in
the environment (:data:`PLANNER_PID`); a parent that died before its child
armed the signal is caught by comparing ``getppid()`` after arming.

Limits: the signal follows the *thread* that started the child.  The fork
server is started by the first thread that solves in parallel; in the web
server that is a job thread, which lives as long as the server.  If that
thread ended, the fork server would end with it and multiprocessing starts a
new one on the next solve.  Elsewhere than Linux this is a no-op.
"""

from __future__ import annotations

import ctypes
import os
import signal
import sys

PR_SET_PDEATHSIG = 1  # <linux/prctl.h>
PLANNER_PID = "CVP_SOLVER_PLANNER_PID"  # set by the planner before its fork server starts
FORKSERVER_PID = "CVP_SOLVER_FORKSERVER_PID"  # set by the fork server, inherited by its workers
PRELOAD = "planner._forkserver"  # what the fork server imports when it starts


def supported() -> bool:
    return sys.platform.startswith("linux")


def die_with_parent(parent: int, sig: int = signal.SIGKILL) -> None:
    """This process gets ``sig`` when its parent dies; exits now if ``parent`` is already
    gone (this process was reparented before it could arm the signal)."""
    if not supported():
        return
    libc = ctypes.CDLL(None, use_errno=True)
    if libc.prctl(PR_SET_PDEATHSIG, int(sig), 0, 0, 0) != 0:
        err = ctypes.get_errno()
        raise OSError(err, f"prctl(PR_SET_PDEATHSIG): {os.strerror(err)}")
    if os.getppid() != parent:
        os._exit(1)


def mark_planner() -> None:
    """In the planner, before a pool starts: tell a fork server started now whom to follow."""
    os.environ[PLANNER_PID] = str(os.getpid())


def arm_forkserver() -> None:
    """In the fork server (its preload): die with the planner that started it."""
    planner = os.environ.get(PLANNER_PID, "")
    if not planner.isdigit() or int(planner) == os.getpid():
        return  # not started by a planner that asked for it
    os.environ[FORKSERVER_PID] = str(os.getpid())
    die_with_parent(int(planner))


def arm_worker() -> None:
    """The pool's initializer: this worker dies with the process that forked it (the fork
    server, or the planner itself with the ``fork``/``spawn`` start methods)."""
    server = os.environ.get(FORKSERVER_PID, "")
    die_with_parent(int(server) if server.isdigit() else os.getppid())
