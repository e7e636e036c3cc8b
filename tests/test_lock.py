"""The production image installs requirements.lock with --require-hashes: every runtime
dependency of pyproject.toml must be pinned there, each with its hashes."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def _name(requirement: str) -> str:
    return re.split(r"[\[<>=!~; ]", requirement, maxsplit=1)[0].lower().replace("_", "-")


def test_every_dependency_is_locked_with_hashes() -> None:
    declared = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["dependencies"]
    lock = (ROOT / "requirements.lock").read_text()
    pins = dict(re.findall(r"^([a-z0-9][a-z0-9._-]*)==(\S+) \\$", lock, re.M))
    missing = [d for d in declared if _name(d) not in pins]
    assert not missing, f"run `make lock`: {missing} not in requirements.lock"
    blocks = re.split(r"\n(?=[a-z0-9])", lock.split("\n\n", 1)[-1])
    unhashed = [b.split("==")[0] for b in blocks if "==" in b and "--hash=sha256:" not in b]
    assert not unhashed, unhashed
