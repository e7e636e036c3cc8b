"""python manage.py rescore [CODE ...]: score posts now, in this process."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError, CommandParser

from readiness.assessments.services import RescoreFailed, post_rescore
from readiness.posts.models import Post
from readiness.wording.verdict import verdict


class Command(BaseCommand):
    help = "Score posts now (all posts, or those whose codes are given) and print the verdicts."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("codes", nargs="*", metavar="CODE")

    def handle(self, *args: object, codes: list[str], **options: object) -> None:
        posts = Post.objects.order_by("code")
        if codes:
            posts = posts.filter(code__in=codes)
            missing = set(codes) - set(posts.values_list("code", flat=True))
            if missing:
                raise CommandError(f"no post with code {', '.join(sorted(missing))}")
        failed = []
        for post in posts:
            try:
                assessment = post_rescore(post_id=post.pk)
            except RescoreFailed as exc:
                # Recorded on the post (rescore_error, shown to officers); the others go on.
                failed.append(post.code)
                self.stderr.write(f"{post.code}: re-scoring failed: {exc}")
                continue
            self.stdout.write(
                f"{post.code}: level {assessment.current_level}, recommended {assessment.recommended_level}, "
                f"{assessment.get_verdict_display().lower()} — {verdict(assessment.explanation)}"
            )
        if failed:
            raise CommandError(f"re-scoring failed for {', '.join(failed)} (see above)")
