"""Create (or keep) the demo administrator and print how to sign in.

Only for the first-run demo: refuses to run when DEBUG is off. The password is generated
once and kept in var/, so repeated `make run` print the same login.
"""

import secrets

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError, CommandParser

from readiness.notifications.models import Scope, Subscription
from readiness.notifications.services import subscription_create


class Command(BaseCommand):
    help = "Create the demo administrator (DEBUG only) and print the login."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--username", default="admin")
        parser.add_argument(
            "--host",
            default="127.0.0.1:8000",
            help="where runserver listens (make run's HOST): [address:]port, or address",
        )

    def handle(self, *args: object, username: str, host: str, **options: object) -> None:
        if not settings.DEBUG:
            raise CommandError("demo_admin is for the local demo only (DEBUG is off).")
        secret_file = settings.BASE_DIR / "var" / "demo-admin-password"
        secret_file.parent.mkdir(exist_ok=True)
        if not secret_file.exists():
            secret_file.write_text(secrets.token_urlsafe(12))
            secret_file.chmod(0o600)
        password = secret_file.read_text().strip()
        user, _created = get_user_model().objects.get_or_create(
            username=username, defaults={"is_staff": True, "is_superuser": True}
        )
        user.is_staff = user.is_superuser = True
        user.email = user.email or f"{username}@localhost"
        user.set_password(password)
        user.save()
        # The demo follows every post, so a recorded indicator that changes a post's
        # recommendation shows in the header and prints its e-mail in this console.
        if not Subscription.objects.filter(user=user).exists():
            subscription_create(
                user=user,
                scope=Scope.ALL,
                on_level=True,
                on_verdict=True,
                on_failure=True,
                by_email=settings.EMAIL_ENABLED,
            )
        self.stdout.write(
            self.style.SUCCESS(
                f"\nReadiness demo: {demo_url(host)}  sign in as {username} / {password}\n"
            )
        )
        if not settings.REDIS_URL:
            minutes = settings.REEVALUATE_EVERY_MINUTES
            self.stdout.write(
                "Without REDIS_URL the demo has no Celery worker or beat: a post is re-scored "
                "when something is written to it (in-process), but the periodic re-evaluation "
                f"(every {minutes} minutes) does not run, so figures age until the next write "
                "or `manage.py rescore`. For it, set REDIS_URL and start a worker and beat "
                '(README, "Production").\n'
            )


def demo_url(host: str) -> str:
    """The address to open for runserver's ``[address:]port`` (an address that listens on
    every interface is opened on this machine)."""
    address, _sep, port = host.rpartition(":") if ":" in host else ("", "", host)
    if not port.isdigit():
        address, port = host, "8000"
    if address in ("", "0.0.0.0", "0", "[::]", "::"):
        address = "127.0.0.1"
    return f"http://{address}:{port}/"
