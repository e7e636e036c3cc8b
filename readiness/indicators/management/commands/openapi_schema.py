"""Write the feeds' API's OpenAPI document to docs/openapi.json (or check that it is up to
date): run it after changing the API's models or answers."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from readiness.indicators.openapi import COMMITTED, openapi_text


class Command(BaseCommand):
    help = "Write the feeds' API's OpenAPI document to docs/openapi.json (--check: compare)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--check",
            action="store_true",
            help="Write nothing; fail when docs/openapi.json differs from the generated one.",
        )

    def handle(self, *args: Any, check: bool = False, **options: Any) -> None:
        generated = openapi_text()
        if check:
            committed = COMMITTED.read_text(encoding="utf-8") if COMMITTED.exists() else ""
            if committed != generated:
                raise CommandError(
                    f"{COMMITTED} is out of date: run `python manage.py openapi_schema`"
                )
            self.stdout.write(f"{COMMITTED} is up to date")
            return
        COMMITTED.write_text(generated, encoding="utf-8")
        self.stdout.write(f"wrote {COMMITTED}")
