"""Running a command of the CLI in a child process with a memory ceiling and a time limit.

A hostile file that the code expands (aliases, a zip bomb) would exhaust the test
machine, not just fail; in a child with ``RLIMIT_AS`` it dies with MemoryError (a
traceback) or is killed at the timeout, and the test fails instead.
"""

from __future__ import annotations

import os
import subprocess
import sys
from dataclasses import dataclass

from tests.conftest import ROOT

#: address space of the child: a bare `cvp` needs about 200 MB of it
MEMORY_LIMIT = int(1.5 * 1024 ** 3)
TIME_LIMIT_S = 120

_CHILD = """
import resource, sys
resource.setrlimit(resource.RLIMIT_AS, ({limit}, {limit}))
from planner.cli import main
sys.exit(main(sys.argv[1:]))
"""


@dataclass(frozen=True)
class Done:
    code: int
    out: str
    err: str


def run_cvp(*args: str, env: dict[str, str] | None = None, limit: int = MEMORY_LIMIT,
            timeout: float = TIME_LIMIT_S) -> Done:
    """``cvp ARGS`` from this checkout, bounded; the store is the test's (CVP_DATABASE_URL).
    Past ``timeout`` seconds the child is killed and ``subprocess.TimeoutExpired`` fails the test."""
    full_env = {**os.environ, "PYTHONPATH": str(ROOT), **(env or {})}
    done = subprocess.run([sys.executable, "-c", _CHILD.format(limit=limit), *args], cwd=ROOT, env=full_env,
                          capture_output=True, text=True, timeout=timeout)
    return Done(done.returncode, done.stdout, done.stderr)
