"""The whole test suite, as `make test` and CI run it: style, types, dependency audit, then pytest.

PostgreSQL is the production database and is tested for real. When it cannot be
reached the PostgreSQL tests are skipped and this says so plainly; under CI
(CI=true) an unreachable PostgreSQL fails the run instead.

pytest runs in one worker process per core (pytest-xdist), a test file per worker at a time so
that a file's module fixtures are built once; pass your own ``-n`` to change that (``-n 0`` runs
in this process).
"""

from __future__ import annotations

import os
import subprocess
import sys

from tests.audit import audit

STEPS = [
    ["ruff", "format", "--check", "."],
    ["ruff", "check", "."],
    ["mypy", "."],
]


def main() -> int:
    bin_dir = os.path.dirname(sys.executable)
    for step in STEPS:
        print(f"$ {' '.join(step)}", flush=True)
        if subprocess.call([os.path.join(bin_dir, step[0]), *step[1:]]) != 0:
            print(f"FAILED: {' '.join(step)}", flush=True)
            return 1
    if audit(bin_dir) != 0:
        return 1
    code = subprocess.call([sys.executable, "-m", "pytest", *parallel(sys.argv[1:]), *sys.argv[1:]])
    return 1 if code == 5 else code  # pytest's 5 means no test ran: that is a failure here


def parallel(args: list[str]) -> list[str]:
    """xdist's options, unless the caller chose a number of workers."""
    if any(a.startswith(("-n", "--numprocesses")) for a in args):
        return []
    return ["-n", "auto", "--dist", "loadfile"]


if __name__ == "__main__":
    sys.exit(main())
