"""The dependency audit of the test command: pip-audit over the installed packages.

A known vulnerability in any installed package fails the run. pip-audit asks a vulnerability
service (PyPI's JSON API) about each installed version. Where that service cannot be reached, or
does not know the versions (an offline machine, a private package mirror), nothing is audited, and
pip-audit still prints "No known vulnerabilities found". This step reads pip-audit's report and says
plainly how many packages were really audited.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from typing import Any


def audit(bin_dir: str) -> int:
    """0 when no installed package has a known vulnerability (or none could be checked), else 1."""
    print("$ pip-audit --skip-editable --format json", flush=True)
    try:
        result = subprocess.run(
            [
                os.path.join(bin_dir, "pip-audit"),
                "--skip-editable",
                "--format",
                "json",
                "--progress-spinner",
                "off",
            ],
            capture_output=True,
            text=True,
            timeout=600,
        )
        report: dict[str, Any] = json.loads(result.stdout)
    except (OSError, subprocess.TimeoutExpired, ValueError) as exc:
        print(f"dependency audit NOT RUN: pip-audit gave no report ({type(exc).__name__})", flush=True)
        return 0
    return _judge(report.get("dependencies", []))


def _judge(dependencies: list[dict[str, Any]]) -> int:
    vulnerable = [d for d in dependencies if d.get("vulns")]
    for dep in vulnerable:
        for vuln in dep["vulns"]:
            fixed = ", ".join(vuln.get("fix_versions", [])) or "no fixed version yet"
            print(f"VULNERABLE: {dep['name']} {dep['version']}: {vuln['id']} (fixed in {fixed})", flush=True)
    audited = [d for d in dependencies if "skip_reason" not in d]
    if vulnerable:
        print(f"dependency audit FAILED: {len(vulnerable)} vulnerable package(s)", flush=True)
        return 1
    if not audited:
        print(
            f"dependency audit SKIPPED: the vulnerability service knows none of the {len(dependencies)} "
            "installed packages (no access to it from here, or a private mirror); nothing was audited",
            flush=True,
        )
        return 0
    print(
        f"dependency audit: {len(audited)} of {len(dependencies)} packages audited, none vulnerable",
        flush=True,
    )
    return 0


if __name__ == "__main__":
    sys.exit(audit(os.path.dirname(sys.executable)))
