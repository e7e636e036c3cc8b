"""How fast are the overview and the post page with a large ministry's data?

    DJANGO_SETTINGS_MODULE=readiness.settings .venv/bin/python bench/bench_pages.py
    BENCH_DATABASE_URL=postgresql://postgres@127.0.0.1:5432/postgres .venv/bin/python bench/bench_pages.py

Builds a throwaway database (a temporary SQLite file, or a PostgreSQL database created
next to BENCH_DATABASE_URL's and dropped at the end) with 200 posts, 50,000 indicators
and 5,000 staff, scores every post twice (so the charts have history), then serves each
page many times with Django's test client as a signed-in duty officer and prints the
median, the query count, and the ratio to a minimal view that reads the same rows in the
same run and renders nothing. Target: under 50 ms median for both pages.

The daily brief's figures at several sizes (each size its own database, built in a
process of its own; indicators and staff grow with the posts), with its ratio to the bare
read of the same rows and the time per post (target: within 3x the bare read, linear in
the posts):

    BENCH_DATABASE_URL=postgresql://postgres@127.0.0.1:5432/postgres .venv/bin/python bench/bench_pages.py --sizes 200,800

(``--keep 'postgresql://…/bench{posts}'`` reuses one kept database per size.)
"""

from __future__ import annotations

import argparse
import datetime as dt
import gc
import os
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import urlparse, urlunparse

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "readiness.settings")


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--posts", type=int, default=200)
    parser.add_argument("--indicators", type=int, default=50_000)
    parser.add_argument("--staff", type=int, default=5_000)
    parser.add_argument("--runs", type=int, default=40)
    parser.add_argument("--profile", metavar="PATH", help="profile one page (e.g. /) instead")
    parser.add_argument(
        "--sizes",
        metavar="N,N",
        help="the brief only, at each number of posts (e.g. 200,800): one process per size",
    )
    parser.add_argument("--brief-only", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument(
        "--cold", action="store_true", help="with --profile: empty the cache before each request"
    )
    parser.add_argument(
        "--keep",
        metavar="FILE_OR_URL",
        help="SQLite file or database URL to build once and reuse on later runs (kept)",
    )
    return parser.parse_args()


def throwaway_database(keep: str | None) -> tuple[str, object]:
    """A database URL nobody else uses, and how to drop it afterwards."""
    if keep:
        url = keep if "://" in keep else f"sqlite:///{Path(keep).resolve()}"
        return url, lambda: None
    base = os.environ.get("BENCH_DATABASE_URL", "")
    if not base.startswith("postgres"):
        folder = tempfile.TemporaryDirectory(prefix="readiness-bench-")
        return f"sqlite:///{folder.name}/bench.sqlite3", folder.cleanup
    import psycopg

    name = f"readiness_bench_{os.getpid()}"
    admin = urlparse(base)._replace(path="/postgres")
    with psycopg.connect(urlunparse(admin), autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')

    def drop() -> None:
        from django.db import connections

        connections.close_all()
        with psycopg.connect(urlunparse(admin), autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}"')

    return urlunparse(urlparse(base)._replace(path=f"/{name}")), drop


ARGS = parse_args() if __name__ == "__main__" else None
if __name__ == "__main__":
    os.environ["DATABASE_URL"], DROP = throwaway_database(ARGS.keep)
    os.environ.setdefault("DEBUG", "false")
    os.environ.setdefault("SECRET_KEY", "bench-only")
    os.environ.setdefault("ALLOWED_HOSTS", "testserver")
    os.environ.setdefault("STATIC_MANIFEST", "false")
    os.environ.setdefault("SECURE_COOKIES", "false")
    os.environ.setdefault("SECURE_SSL_REDIRECT", "false")
    os.environ.setdefault("SECURE_HSTS_SECONDS", "0")
    os.environ.setdefault("LOG_LEVEL", "WARNING")

import django  # noqa: E402

django.setup()

from django.db import connection, transaction  # noqa: E402
from django.db.models import IntegerField, OuterRef, Q, Subquery, Sum  # noqa: E402
from django.http import HttpRequest, HttpResponse  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import override_settings  # noqa: E402
from django.urls import include, path  # noqa: E402
from django.utils import timezone  # noqa: E402

from readiness.assessments.models import Assessment, Decision  # noqa: E402
from readiness.checkins.models import Checkin  # noqa: E402
from readiness.indicators.models import Indicator  # noqa: E402
from readiness.posts.models import ActionItem, AlertLevel, ExitRoute, Post  # noqa: E402
from readiness.rosters.models import (  # noqa: E402
    AssemblyPoint,
    Community,
    School,
    StaffMember,
    Warden,
)

# --- Minimal views: the same rows, no presentation ------------------------------------------


def minimal_overview(request: HttpRequest) -> HttpResponse:
    """The rows the overview reads: posts with their newest assessment id and current level
    name, the newest assessments' figures, and (as the overview does once per assessment,
    then from memory) their trend points."""
    assert request.user.is_authenticated
    newest = Assessment.objects.filter(post=OuterRef("pk")).order_by("-evaluated_at", "-id")
    name = AlertLevel.objects.filter(post=OuterRef("pk"), rank=OuterRef("level")).values("name")
    posts = list(
        Post.objects.annotate(
            newest_id=Subquery(newest.values("id")[:1], output_field=IntegerField()),
            level_name=Subquery(name[:1]),
        ).values("id", "code", "name", "region", "level", "newest_id", "level_name")
    )
    rows = list(
        Assessment.objects.filter(id__in=[p["newest_id"] for p in posts]).values(
            "id",
            "verdict",
            "threat_index",
            "trend_per_day",
            "next_level_margin_days",
            "preparedness",
            "evaluated_at",
            "recommended_level",
        )
    )
    points = MINIMAL_TRENDS or {
        row["id"]: row["explanation__trend__points"]
        for row in Assessment.objects.filter(id__in=[r["id"] for r in rows]).values(
            "id", "explanation__trend__points"
        )
    }
    MINIMAL_TRENDS.update(points)
    return HttpResponse(f"{len(posts)} {len(rows)} {len(points)}")


MINIMAL_TRENDS: dict[int, object] = {}


def minimal_post(request: HttpRequest, code: str) -> HttpResponse:
    assert request.user.is_authenticated
    post = Post.objects.get(code=code)
    assessment = Assessment.objects.filter(post=post).order_by("-evaluated_at", "-id").first()
    levels = list(AlertLevel.objects.filter(post=post))
    actions = list(ActionItem.objects.filter(level__post=post).select_related("ready_by"))
    history = list(Assessment.objects.filter(post=post).values_list("evaluated_at", "threat_index"))
    timeline = list(Indicator.objects.filter(post=post).order_by("-observed_at")[:26])
    evidence = list(Indicator.objects.filter(post=post, pk__in=[i.pk for i in timeline[:10]]))
    routes = list(ExitRoute.objects.filter(post=post))
    staff = list(
        StaffMember.objects.filter(post=post)
        .values("category", "essential")
        .annotate(n=Sum("headcount"), p=Sum("headcount", filter=Q(present=True)))
    )
    waiting = list(StaffMember.objects.filter(post=post).order_by("last_confirmed_at")[:8])
    schools = list(School.objects.filter(post=post))
    wardens = Warden.objects.filter(post=post).count()
    points = AssemblyPoint.objects.filter(post=post).count()
    decisions = list(Decision.objects.filter(post=post).select_related("decided_by"))
    # The staff check-in board's newest check-in, and the map's places (its cache key).
    checkin = Checkin.objects.filter(post=post).order_by("-started_at").first()
    places = list(
        AssemblyPoint.objects.filter(post=post)
        .values_list("id", "latitude", "longitude")
        .union(Warden.objects.filter(post=post).values_list("id", "latitude", "longitude"))
    )
    size = len(str(assessment.explanation)) if assessment else 0
    return HttpResponse(
        f"{size} {len(levels)} {len(actions)} {len(history)} {len(timeline)} {len(evidence)} "
        f"{len(routes)} {len(staff)} {len(waiting)} {len(schools)} {wardens} {points} "
        f"{len(decisions)} {checkin is not None} {len(places)}"
    )


def minimal_brief(request: HttpRequest) -> HttpResponse:
    """The rows the brief reads: the overview's, the newest issued brief, and what changed
    since it for every post (readiness/briefs/since.py: the same queries), rendered as
    nothing. The sentences and reasons are cached, as the brief's are when warm."""
    from readiness.briefs import since

    assert request.user.is_authenticated
    overview = minimal_overview(request)
    window = since.window_now()
    rows = since.since_rows(posts=Post.objects.all(), window=window)
    return HttpResponse(
        f"{overview.content.decode()} {len(rows.changes)} {len(rows.decisions)} "
        f"{len(rows.routes)} {len(rows.indicators)} {len(rows.people)} {len(rows.items)}"
    )


urlpatterns = [
    path("minimal/brief/", minimal_brief),
    path("minimal/", minimal_overview),
    path("minimal/posts/<str:code>/", minimal_post),
    path("", include("readiness.urls")),
]


# --- Data --------------------------------------------------------------------------------

CATEGORIES = [
    "incident",
    "threat_to_foreigners",
    "supply",
    "transport",
    "political",
    "peer_action",
    "health",
    "hazard",
]
REGIONS = ["Sahel", "Levant", "Horn of Africa", "Andes", "Caucasus", "South-East Asia"]


def build(posts: int, indicators: int, staff: int) -> Post:
    from readiness.assessments.services import post_rescore
    from readiness.posts.services import post_create

    rng = random.Random(7)
    now = timezone.now()
    started = time.perf_counter()
    with transaction.atomic():
        created = [
            post_create(
                code=f"ZZ-B{i:04d}",
                name=f"Post {i}",
                country="ZZ",
                city=f"City {i}",
                region=REGIONS[i % len(REGIONS)],
                timezone="Africa/Bamako",
                level=i % 4,
            )
            for i in range(posts)
        ]
        # Coordinates, so that the maps are drawn (docs/dashboards.md, "Maps").
        for p in created:
            p.latitude, p.longitude = rng.uniform(-35, 55), rng.uniform(-120, 150)
        Post.objects.bulk_update(created, ["latitude", "longitude"])
        ExitRoute.objects.bulk_create(
            ExitRoute(
                post=p,
                key=key,
                mode=mode,
                from_place="Airport",
                to_place="Paris",
                status=rng.choice(["open", "degraded", "unknown"]),
                seats_per_day=seats,
                closes_at_threat=closes,
                lead_time_hours=lead,
                from_latitude=p.latitude - 0.1,
                from_longitude=p.longitude + 0.1,
                to_latitude=49.0 if mode != "road" else p.latitude + 3,
                to_longitude=2.5 if mode != "road" else p.longitude - 4,
            )
            for p in created
            for key, mode, seats, closes, lead in [
                ("air-commercial", "commercial_air", 80, 85, 0),
                ("air-charter", "charter_air", 60, 80, 48),
                ("road", "road", 150, 40, 24),
                ("air-military", "military_air", 100, None, 72),
            ]
        )
        Community.objects.bulk_create(
            Community(
                post=p,
                registered=rng.randint(200, 6000),
                dual_nationals=100,
                unregistered_estimate=200,
            )
            for p in created
        )
        StaffMember.objects.bulk_create(
            StaffMember(
                post=created[i % posts],
                name=f"Staff {i}",
                role="Staff",
                category="expatriate" if i % 3 else "local",
                essential=i % 4 == 0,
                dependants=i % 3,
                email=f"s{i}@post.example",
                last_confirmed_at=now - dt.timedelta(days=rng.randint(0, 60)),
            )
            for i in range(staff)
        )
        School.objects.bulk_create(
            School(post=p, name=f"School {j}", pupils=300, expatriate_staff=8)
            for p in created
            for j in range(3)
        )
        Warden.objects.bulk_create(
            Warden(post=p, zone=f"Zone {j}", name=f"Warden {j}", latitude=p.latitude + j / 100,
                   longitude=p.longitude - j / 100)
            for p in created
            for j in range(4)
        )  # fmt: skip
        AssemblyPoint.objects.bulk_create(
            AssemblyPoint(post=p, name=f"Point {j}", zone=f"Zone {j}", capacity=500,
                          latitude=p.latitude - j / 50, longitude=p.longitude + j / 50)
            for p in created
            for j in range(2)
        )  # fmt: skip
        batch = []
        for i in range(indicators):
            observed = now - dt.timedelta(days=rng.uniform(0.1, 150))
            batch.append(
                Indicator(
                    post=created[i % posts],
                    category=rng.choice(CATEGORIES),
                    severity=rng.randint(1, 5),
                    reliability=rng.choice("ABCDEF"),
                    credibility=rng.randint(1, 6),
                    source="Bench",
                    text=f"Observation {i}",
                    observed_at=observed,
                    recorded_at=observed,
                    ongoing=i % 50 == 0,
                )
            )
            if len(batch) == 5000:
                Indicator.objects.bulk_create(batch)
                batch = []
        Indicator.objects.bulk_create(batch)
        # The saves above queued a re-score each; the loop below scores every post itself.
        connection.run_on_commit.clear()
    print(
        f"data: {posts} posts, {indicators:,} indicators, {staff:,} staff "
        f"in {time.perf_counter() - started:.1f} s"
    )
    started = time.perf_counter()
    for p in created:
        post_rescore(post_id=p.pk, now=now - dt.timedelta(days=1))
        Decision.objects.create(
            post=p,
            # Taken against the post's assessment, as every officer's decision is.
            assessment_id=Post.objects.get(pk=p.pk).newest_assessment_id,
            from_level=p.level,
            to_level=p.level + 1,
            rationale="Bench decision",
            decided_at=now - dt.timedelta(hours=3),
            # Taken against the assessment just stored (decision_assessment_required).
            assessment=Assessment.objects.filter(post=p).order_by("-evaluated_at", "-id").first(),
        )
        Post.objects.filter(pk=p.pk).update(level=p.level + 1)
        post_rescore(post_id=p.pk, now=now)
    print(f"scored: {2 * posts} assessments in {time.perf_counter() - started:.1f} s")
    # A database in service has statistics (autovacuum on PostgreSQL); fresh rows have none
    # and get naive plans, so measure after gathering them.
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    return created[0]


# --- Timing ------------------------------------------------------------------------------


def measure(
    client: Client, url: str, minimal_url: str, runs: int, *, cold: bool = False
) -> tuple[dict[str, float], dict[str, float]]:
    """The page and its minimal view, measured in turns (page, minimal, page, ...) so that
    a change in the machine's speed during the run weighs on both alike: for each, the
    median and 90th percentile wall time, the median CPU time of this process (less
    sensitive to other work on a shared machine), the queries and the size of one
    response. ``cold``: Django's cache is emptied before each request of the page."""
    from django.core.cache import cache

    for _ in range(3):  # warm the template cache and connections
        for each in (url, minimal_url):
            response = client.get(each)
            assert response.status_code == 200, (each, response.status_code)

    def one(each: str) -> tuple[int, object]:
        queries: list[str] = []

        def count(execute, sql, params, many, context):  # type: ignore[no-untyped-def]
            queries.append(sql)
            return execute(sql, params, many, context)

        if cold:
            cache.clear()
        with connection.execute_wrapper(count):
            response = client.get(each)
        return len(queries), response

    shapes = {each: one(each) for each in (url, minimal_url)}
    wall: dict[str, list[float]] = {url: [], minimal_url: []}
    cpu: dict[str, list[float]] = {url: [], minimal_url: []}
    for _ in range(runs):
        for each in (url, minimal_url):
            if cold and each == url:
                cache.clear()
            started, started_cpu = time.perf_counter(), time.process_time()
            client.get(each)
            wall[each].append((time.perf_counter() - started) * 1000)
            cpu[each].append((time.process_time() - started_cpu) * 1000)

    def figures(each: str) -> dict[str, float]:
        times = sorted(wall[each])
        queries, response = shapes[each]
        return {
            "median": statistics.median(times),
            "p90": times[int(len(times) * 0.9) - 1],
            "cpu": statistics.median(cpu[each]),
            "queries": queries,
            "kib": len(response.content) / 1024,  # type: ignore[attr-defined]
        }

    return figures(url), figures(minimal_url)


def main() -> None:
    from django.contrib.auth import get_user_model
    from django.core.management import call_command

    args = ARGS
    assert args is not None
    print(f"database: {connection.vendor}")
    call_command("migrate", verbosity=0)
    post = Post.objects.order_by("code").first()
    if post is None:
        post = build(args.posts, args.indicators, args.staff)
    else:
        print(f"reusing {Post.objects.count()} posts, {Indicator.objects.count():,} indicators")
    user, _ = get_user_model().objects.get_or_create(username="bench", is_staff=True)
    # A server process holds the app, not the objects the build made: measure like one.
    gc.collect()
    client = Client()
    client.force_login(user)
    print(
        f"\n{'page':<15} {'median ms':>10} {'p90 ms':>8} {'cpu ms':>7} {'queries':>8} "
        f"{'KiB':>5} {'minimal ms':>11} {'ratio':>6} {'min cpu':>8} {'cpu ratio':>9}"
    )
    with override_settings(ROOT_URLCONF=__name__, DEBUG=False):
        if args.profile:
            import cProfile
            import pstats

            from django.core.cache import cache

            client.get(args.profile)
            profiler = cProfile.Profile()
            for _ in range(5):
                if args.cold:
                    cache.clear()
                profiler.runcall(client.get, args.profile)
            # BENCH_SORT=cumulative BENCH_PAT=readiness BENCH_N=60: another view of it.
            stats = pstats.Stats(profiler).sort_stats(os.environ.get("BENCH_SORT", "tottime"))
            stats.print_stats(os.environ.get("BENCH_PAT", ""), int(os.environ.get("BENCH_N", "40")))
            return
        pages = [
            ("overview", "/", "/minimal/"),
            ("post page", f"/posts/{post.code}/", f"/minimal/posts/{post.code}/"),
            ("daily brief", "/brief/", "/minimal/brief/"),
        ]
        pages += [
            ("overview, cold", "/", "/minimal/"),
            ("post, cold", f"/posts/{post.code}/", f"/minimal/posts/{post.code}/"),
            ("brief, cold", "/brief/", "/minimal/brief/"),
        ]
        if args.brief_only:
            pages = [p for p in pages if p[1] == "/brief/"]
        for name, url, minimal_url in pages:
            page, minimal = measure(client, url, minimal_url, args.runs, cold=name.endswith("cold"))
            print(
                f"{name:<15} {page['median']:>10.1f} {page['p90']:>8.1f} {page['cpu']:>7.1f} "
                f"{page['queries']:>8} {page['kib']:>5.0f} {minimal['median']:>11.1f} "
                f"{page['median'] / minimal['median']:>6.1f} {minimal['cpu']:>8.1f} "
                f"{page['cpu'] / minimal['cpu']:>9.1f}"
            )
            if url == "/brief/":
                # For --sizes: the figures of this size, one line the parent reads.
                print(
                    f"BRIEF {'cold' if name.endswith('cold') else 'warm'} "
                    f"posts={Post.objects.count()} median={page['median']:.1f} "
                    f"cpu={page['cpu']:.1f} queries={page['queries']} "
                    f"minimal={minimal['median']:.1f} minimal_cpu={minimal['cpu']:.1f}"
                )
        print(
            "\ntarget: overview and post page under 50 ms median; 'cold': the cache emptied "
            "before each request (every cached row and panel rendered anew)"
        )


def sizes(args: argparse.Namespace) -> None:
    """The brief at each size, each in a process (and database) of its own; then one table
    with the ratio to the bare read and the time per post."""
    import subprocess

    found: dict[tuple[int, str], dict[str, float]] = {}
    for posts in [int(n) for n in args.sizes.split(",")]:
        command = [
            sys.executable,
            __file__,
            "--brief-only",
            f"--posts={posts}",
            f"--indicators={250 * posts}",
            f"--staff={25 * posts}",
            f"--runs={args.runs}",
        ]
        if args.keep:
            command.append(f"--keep={args.keep.format(posts=posts)}")
        print(f"--- {posts} posts", flush=True)
        done = subprocess.run(command, capture_output=True, text=True, check=True)
        for line in done.stdout.splitlines():
            if line.startswith("BRIEF "):
                _brief, kind, *pairs = line.split()
                figures = dict(pair.split("=") for pair in pairs)
                found[(posts, kind)] = {k: float(v) for k, v in figures.items()}
            elif not line.startswith(("page ", "target")):
                print(line)
    print(
        f"\n{'brief':<6} {'posts':>6} {'median ms':>10} {'cpu ms':>7} {'queries':>8} "
        f"{'bare ms':>8} {'ratio':>6} {'cpu ratio':>9} {'ms/post':>8}"
    )
    for (posts, kind), f in sorted(found.items(), key=lambda item: (item[0][1], item[0][0])):
        print(
            f"{kind:<6} {posts:>6} {f['median']:>10.1f} {f['cpu']:>7.1f} {int(f['queries']):>8} "
            f"{f['minimal']:>8.1f} {f['median'] / f['minimal']:>6.1f} "
            f"{f['cpu'] / max(f['minimal_cpu'], 0.1):>9.1f} {f['median'] / posts:>8.3f}"
        )
    print(
        "\ntarget: the warm brief within 3x the bare read of the same rows (ratio), and "
        "linear in the posts (ms/post steady across sizes)"
    )


if __name__ == "__main__":
    if ARGS.sizes:
        DROP()  # type: ignore[operator]  # each size builds its own
        sizes(ARGS)
    else:
        try:
            main()
        finally:
            DROP()  # type: ignore[operator]
