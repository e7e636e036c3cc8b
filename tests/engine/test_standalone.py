"""The engine is pure Python: importing it loads neither Django nor Celery."""

from __future__ import annotations

import subprocess
import sys


def test_the_engine_imports_on_its_own() -> None:
    code = (
        "import sys, readiness.engine\n"
        "loaded = [m for m in sys.modules if m.split('.')[0] in ('django', 'celery', 'kombu')]\n"
        "print(','.join(loaded))\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, env={}
    )
    assert out.stdout.strip() == ""
