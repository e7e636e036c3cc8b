"""python manage.py import_acled FILE.csv [--feed NAME]: ACLED events as indicators."""

from __future__ import annotations

import sys
import time
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from readiness.feeds.services import ImportRefused, acled_import, feed_for_import


class Command(BaseCommand):
    help = (
        "Import an ACLED CSV export as indicators of the feed's posts whose area covers each "
        "event (docs/feeds.md). Idempotent; a newer version of an event is a correction; a "
        "malformed row refuses the whole file, naming its line."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", help="an ACLED CSV export (UTF-8)")
        parser.add_argument(
            "--feed",
            default="ACLED",
            help="the feed whose grade and posts the indicators take (created on first use, "
            "reliability B, for every post; edit it in the admin) [ACLED]",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        feed, created = feed_for_import(name=options["feed"], reliability="B")
        if created:
            self.stdout.write(
                f"Created feed {feed.name!r} (reliability B) for all {feed.posts.count()} "
                "posts: grade it and choose its posts in the admin."
            )
        started = time.monotonic()
        progress = _Progress(self.stderr if sys.stderr.isatty() else None, self.stdout)
        try:
            with open(options["file"], encoding="utf-8-sig", newline="") as file:
                result = acled_import(
                    feed=feed, file=file, file_name=options["file"], progress=progress
                )
        except OSError as exc:
            raise CommandError(f"{options['file']}: {exc.strerror}") from None
        except ImportRefused as exc:
            raise CommandError(f"{options['file']}: nothing imported: {exc}") from None
        progress.close()
        self.stdout.write(f"{result.summary()} ({time.monotonic() - started:.1f} s)")


class _Progress:
    """A bar redrawn in place on a terminal; a line per tenth of the file otherwise."""

    def __init__(self, tty: Any, out: Any) -> None:
        self.tty, self.out, self.shown = tty, out, -1

    def __call__(self, done: int, total: int) -> None:
        share = done / total if total else 1.0
        if self.tty is not None:
            bar = "#" * int(share * 30)
            self.tty.write(f"\r[{bar:<30}] {done:,}/{total:,} rows", ending="")
            self.tty.flush()
        elif int(share * 10) > self.shown:
            self.shown = int(share * 10)
            self.out.write(f"{done:,}/{total:,} rows ({share:.0%})")

    def close(self) -> None:
        if self.tty is not None:
            self.tty.write("")
