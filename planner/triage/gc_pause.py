"""Python's cyclic garbage collector paused while a district is triaged.

Why: a big district's triage makes a few hundred thousand small objects (tickets,
rows, tuples, fired rules) that all stay alive until it returns.  Each time their
number grows by a quarter the collector walks every live object looking for
reference cycles and finds none to free: at 20,000 open tickets that was six full
passes and about a sixth of the run's CPU time.  Reference counting still frees
everything as usual; only the cycle search waits until the run ends (memory stays
bounded by ``limits.max_open_tickets``).

The pause is counted, so overlapping runs (the web app's threads) keep it until the
last one ends, and the collector is switched back on only if it was on before.
"""

from __future__ import annotations

import gc
import threading
from collections.abc import Iterator
from contextlib import contextmanager

_lock = threading.Lock()
_depth = 0
_was_enabled = False


@contextmanager
def collector_paused() -> Iterator[None]:
    global _depth, _was_enabled
    with _lock:
        if _depth == 0:
            _was_enabled = gc.isenabled()
            gc.disable()
        _depth += 1
    try:
        yield
    finally:
        with _lock:
            _depth -= 1
            if _depth == 0 and _was_enabled:
                gc.enable()
