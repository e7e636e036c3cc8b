"""Loaded into the test worker (`celery worker -I tests.worker.hooks`): lets a test stall
one re-score so it can kill the worker child in the middle of it."""

from __future__ import annotations

import os
import time
from pathlib import Path

from celery.signals import task_prerun


@task_prerun.connect
def stall_once(task=None, **kwargs):  # type: ignore[no-untyped-def]
    flag = os.environ.get("READINESS_TEST_STALL_FLAG")
    if not flag or task is None or not task.name.endswith("rescore_post"):
        return
    try:
        os.remove(flag)  # only the first run stalls; the redelivered one goes through
    except FileNotFoundError:
        return
    Path(flag + ".pid").write_text(str(os.getpid()))
    time.sleep(120)
