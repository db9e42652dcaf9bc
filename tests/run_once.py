"""Work done once per test run, shared by every xdist worker of that run.

Each worker is its own process with its own memory, so a dict cache would redo the same work on each worker.
Results live in a folder named after the run (xdist gives all workers one PYTEST_XDIST_TESTRUNUID); a lock per key
makes the second worker wait for the first one's result instead of computing it again.
"""

from __future__ import annotations

import fcntl
import json
import os
import tempfile
from collections.abc import Callable
from pathlib import Path

_RUN_ID = os.environ.get("PYTEST_XDIST_TESTRUNUID", str(os.getpid()))
RESULTS_DIR = Path(tempfile.gettempdir()) / f"template-tests-{_RUN_ID}"


def run_once(key: str, compute: Callable[[], object]) -> object:
    """``compute()``'s JSON-serialisable result for ``key``, computed by the first worker that asks.

    An exception is not stored: the next caller computes again (and fails the same way, in its own test).
    """
    RESULTS_DIR.mkdir(exist_ok=True)
    result_file = RESULTS_DIR / f"{key}.json"
    with open(RESULTS_DIR / f"{key}.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # released when the file closes, also if the worker dies
        if result_file.exists():
            return json.loads(result_file.read_text(encoding="utf-8"))
        result = compute()
        temporary = result_file.with_suffix(".tmp")
        temporary.write_text(json.dumps(result), encoding="utf-8")
        temporary.replace(result_file)
        return result
