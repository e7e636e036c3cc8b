"""python manage.py import_advisories FILE [--feed NAME]: other governments' travel
advisories (US RSS, UK Atom or JSON) as peer-action indicators."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from readiness.feeds.advisories import MAX_BYTES, AdvisoryError
from readiness.feeds.services import (
    DEFAULT_ADVISORY_FEEDS,
    ImportRefused,
    advisories_government,
    advisories_import,
    feed_for_import,
)


class Command(BaseCommand):
    help = (
        "Import a travel-advisory document: the US State Department's RSS feed, or GOV.UK's "
        "travel advice (Atom feed or content API JSON). A change of level per country is a "
        "peer-action indicator of the feed's posts there; a lowered level a de-escalation "
        "(docs/feeds.md). Idempotent."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", help="the saved RSS, Atom or JSON document")
        parser.add_argument(
            "--feed",
            help="the feed whose grade and posts the indicators take [by the document: "
            + ", ".join(f"{v!r} for {k}" for k, v in DEFAULT_ADVISORY_FEEDS.items())
            + "; created on first use, reliability A, for every post]",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        path = Path(options["file"])
        try:
            with path.open("rb") as file:
                document = file.read(MAX_BYTES + 1)
        except OSError as exc:
            raise CommandError(f"{path}: {exc.strerror}") from None
        try:
            name = options["feed"] or DEFAULT_ADVISORY_FEEDS.get(
                advisories_government(document), DEFAULT_ADVISORY_FEEDS["US"]
            )
            feed, created = feed_for_import(name=name, reliability="A")
            if created:
                self.stdout.write(
                    f"Created feed {feed.name!r} (reliability A) for all "
                    f"{feed.posts.count()} posts: grade it and choose its posts in the admin."
                )
            result = advisories_import(feed=feed, document=document, file_name=str(path))
        except (AdvisoryError, ImportRefused) as exc:
            raise CommandError(f"{path}: nothing imported: {exc}") from None
        self.stdout.write(result.summary())
