"""What a results directory records about how it was made: versions and the scenario's
fingerprint."""

from __future__ import annotations

import hashlib
import platform
from importlib import metadata

__all__ = ["scenario_hash", "versions"]

PACKAGES = ("escalation-sim", "numpy", "scipy", "mesa", "pydantic", "pandas", "pyarrow",
            "ruamel.yaml", "matplotlib", "numba")


def versions() -> dict[str, str]:
    """Python's version and each package's installed version."""
    out = {"python": platform.python_version()}
    for pkg in PACKAGES:
        try:
            out[pkg] = metadata.version(pkg)
        except metadata.PackageNotFoundError:
            out[pkg] = "not installed"
    return out


def scenario_hash(scenario) -> str:
    """SHA-256 of the resolved scenario (variants applied), as canonical JSON."""
    return hashlib.sha256(scenario.model_dump_json().encode()).hexdigest()
