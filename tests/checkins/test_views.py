"""The check-in doors through the Django client: the post page's panel, starting, the
board's refresh, and the answer page behind a link."""

from __future__ import annotations

import datetime as dt

import pytest
from django.contrib.auth.models import Group
from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from readiness.checkins.models import Checkin, CheckinAnswer
from readiness.posts.access import VIEWERS_GROUP
from readiness.rosters.models import StaffMember
from tests.dashboard.conftest import htmx
from tests.factories import StaffMemberFactory, UserFactory

from .conftest import personal, start, tokens_in_outbox

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff(post_a):  # type: ignore[no-untyped-def]
    StaffMember.objects.filter(post=post_a).delete()
    return [
        StaffMemberFactory(post=post_a, name="Awa Traoré", email="awa@post.example"),
        StaffMemberFactory(post=post_a, name="Local guards", category="local", headcount=8,
                           email="guards@post.example"),
    ]  # fmt: skip


def post_url(post) -> str:  # type: ignore[no-untyped-def]
    return reverse("dashboard:post", args=[post.code])


def start_url(post) -> str:  # type: ignore[no-untyped-def]
    return reverse("checkins:start", args=[post.code])


def board_url(post) -> str:  # type: ignore[no-untyped-def]
    return reverse("checkins:board", args=[post.code])


def answer_url(token: str) -> str:
    return reverse("checkins:answer", args=[token])


def panel(html: str) -> str:
    return html.split('id="checkins"')[1].split("</section>")[0]


# --- The officer's side -----------------------------------------------------------------


def test_the_post_page_offers_a_checkin_to_those_who_may_write(officer_client, post_a, staff):  # type: ignore[no-untyped-def]
    html = panel(officer_client.get(post_url(post_a)).content.decode())
    assert "No check-in has been started" in html
    assert f'action="{start_url(post_a)}"' in html


def test_a_viewer_sees_the_board_without_the_form_and_cannot_start(client, post_a, staff):  # type: ignore[no-untyped-def]
    viewer = UserFactory(username="viewer")
    viewer.groups.add(Group.objects.get(name=VIEWERS_GROUP))
    start(post_a, UserFactory(username="cso"))
    client.force_login(viewer)
    html = panel(client.get(post_url(post_a)).content.decode())
    assert 'data-count="asked">9<' in html and start_url(post_a) not in html
    assert client.post(start_url(post_a), {"checkin-scope": "all"}).status_code == 403
    assert Checkin.objects.count() == 1


def test_an_officer_of_another_post_gets_404(client, post_b, staff):  # type: ignore[no-untyped-def]
    officer = UserFactory(username="elsewhere")
    post_b.security_officers.add(officer)
    client.force_login(officer)
    assert client.post(start_url(staff[0].post), {"checkin-scope": "all"}).status_code == 404
    assert client.get(board_url(staff[0].post), **htmx()).status_code == 404
    assert not Checkin.objects.exists() and not mail.outbox


def test_signed_out_is_sent_to_sign_in(client, post_a, staff):  # type: ignore[no-untyped-def]
    response = client.post(start_url(post_a), {"checkin-scope": "all"})
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    assert not Checkin.objects.exists()


def test_starting_without_javascript_sends_the_links_and_returns_to_the_panel(
    officer_client, post_a, staff
):  # type: ignore[no-untyped-def]
    response = officer_client.post(start_url(post_a), {"checkin-scope": "all", "checkin-note": ""})
    assert response.status_code == 302 and response["Location"].endswith("#checkins")
    assert set(tokens_in_outbox()) == {"awa@post.example", "guards@post.example"}
    page = officer_client.get(response["Location"]).content.decode()
    assert "Check-in started: 2 links sent." in page


def test_starting_with_htmx_answers_the_panel(officer_client, post_a, staff):  # type: ignore[no-untyped-def]
    response = officer_client.post(
        start_url(post_a), {"checkin-scope": "local"}, **htmx("checkins")
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert html.lstrip().startswith('<section id="checkins"')
    assert 'data-count="asked">8<' in html and "Check-in started: 1 link sent." in html
    assert [m.to for m in mail.outbox] == [["guards@post.example"]]


def test_a_bad_start_form_answers_422_and_keeps_the_note(officer_client, post_a, staff):  # type: ignore[no-untyped-def]
    data = {"checkin-scope": "everyone", "checkin-note": "Meet at the residence"}
    response = officer_client.post(start_url(post_a), data, **htmx("checkins"))
    assert response.status_code == 422
    assert "Meet at the residence" in response.content.decode()
    response = officer_client.post(start_url(post_a), data)
    assert response.status_code == 422 and "Meet at the residence" in response.content.decode()
    assert not Checkin.objects.exists() and not mail.outbox


def test_the_board_refreshes_alone(officer_client, post_a, staff, django_assert_num_queries):  # type: ignore[no-untyped-def]
    start(post_a, UserFactory(username="cso"))
    # session, user, the user's groups and permissions (one query), post (with its counts),
    # the check-in, its requests (with their answers): whatever the staff
    with django_assert_num_queries(6):
        response = officer_client.get(board_url(post_a), **htmx("checkin-board"))
    html = response.content.decode()
    assert html.lstrip().startswith('<div id="checkin-board"')
    assert "every 30s" in html  # open: it polls
    assert officer_client.get(board_url(post_a)).status_code == 302  # without htmx: the page


def test_the_panel_costs_the_post_page_one_query_and_two_with_a_checkin(
    officer_client, post_a, staff
):  # type: ignore[no-untyped-def]
    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            assert officer_client.get(post_url(post_a)).status_code == 200
        return len(queries)

    count()  # the first request of a session writes its activity time
    without = count()
    start(post_a, UserFactory(username="cso"))
    first = count()
    StaffMemberFactory.create_batch(20, post=post_a)
    start(post_a, UserFactory(username="cso2"))
    assert first == without + 1 == count()


def test_names_and_notes_only_with_the_personal_data_permission(
    duty_client, duty_officer, post_a, staff
):  # type: ignore[no-untyped-def]
    _checkin, tokens = start(post_a, duty_officer)
    from readiness.checkins.services import checkin_answer

    checkin_answer(
        token=tokens["guards@post.example"], answer="need_help", note="Blocked at the bridge"
    )
    html = panel(duty_client.get(post_url(post_a)).content.decode())
    assert 'data-count="need_help">8<' in html
    assert "Local guards" not in html and "Blocked at the bridge" not in html and "Awa" not in html
    personal(duty_officer)
    duty_officer = type(duty_officer).objects.get(pk=duty_officer.pk)  # permissions are cached
    duty_client.force_login(duty_officer)
    html = panel(duty_client.get(post_url(post_a)).content.decode())
    # Need help comes first, with the note; then those still waiting.
    assert (
        html.index("Local guards") < html.index("Blocked at the bridge") < html.index("Awa Traoré")
    )


# --- The answer page --------------------------------------------------------------------


def test_the_answer_page_asks_the_question_and_nothing_else(client, post_a, staff):  # type: ignore[no-untyped-def]
    _checkin, tokens = start(post_a, UserFactory(username="cso", first_name="Moussa"))
    response = client.get(answer_url(tokens["guards@post.example"]))
    html = response.content.decode()
    assert response.status_code == 200 and "Are you safe?" in html
    assert "8 people" in html  # a group row's contact answers for the group
    for secret in ("Alpha", post_a.code, "Awa", "Local guards", "Moussa", "@post.example"):
        assert secret not in html, secret
    assert "no-store" in response["Cache-Control"]
    # The address is the link: no other site is ever told it (the page loads nothing from
    # elsewhere). Not "no-referrer": the browser would then send "Origin: null" with the
    # answer, which Django's CSRF check refuses (tests/browser/test_checkin.py).
    assert response["Referrer-Policy"] == "same-origin"


def test_answering_records_once_and_refuses_a_replay(client, post_a, staff):  # type: ignore[no-untyped-def]
    _checkin, tokens = start(post_a, UserFactory(username="cso"))
    url = answer_url(tokens["awa@post.example"])
    response = client.post(url, {"answer": "left"})
    assert (
        response.status_code == 200
        and "Your answer was recorded: Has left the country" in response.content.decode()
    )
    assert StaffMember.objects.get(name="Awa Traoré").present is False
    again = client.post(url, {"answer": "safe"})
    assert again.status_code == 410 and "already been used" in again.content.decode()
    assert client.get(url).status_code == 410
    assert StaffMember.objects.get(name="Awa Traoré").present is False
    assert CheckinAnswer.objects.count() == 1


def test_need_help_says_the_post_was_told(client, post_a, staff):  # type: ignore[no-untyped-def]
    _checkin, tokens = start(post_a, UserFactory(username="cso"))
    response = client.post(
        answer_url(tokens["awa@post.example"]), {"answer": "need_help", "note": "At the airport"}
    )
    assert "Your post has been told" in response.content.decode()
    assert CheckinAnswer.objects.get().note == "At the airport"


def test_no_answer_chosen_is_422_and_the_link_stays_usable(client, post_a, staff):  # type: ignore[no-untyped-def]
    _checkin, tokens = start(post_a, UserFactory(username="cso"))
    url = answer_url(tokens["awa@post.example"])
    response = client.post(url, {"answer": "maybe", "note": "typed"})
    assert response.status_code == 422 and "typed" in response.content.decode()
    assert client.post(url, {"answer": "safe"}).status_code == 200


def test_an_expired_link_is_refused(client, post_a, staff, settings):  # type: ignore[no-untyped-def]
    settings.CHECKIN_LINK_HOURS = 1
    _checkin, tokens = start(
        post_a, UserFactory(username="cso"), now=timezone.now() - dt.timedelta(hours=2)
    )
    response = client.post(answer_url(tokens["awa@post.example"]), {"answer": "safe"})
    assert response.status_code == 410 and "expired" in response.content.decode()
    assert not CheckinAnswer.objects.exists()


def test_another_checkins_link_is_refused_once_replaced(client, post_a, staff):  # type: ignore[no-untyped-def]
    cso = UserFactory(username="cso")
    _first, old = start(post_a, cso)
    _second, new = start(post_a, cso)
    response = client.post(answer_url(old["awa@post.example"]), {"answer": "safe"})
    assert response.status_code == 410 and "newer check-in" in response.content.decode()
    assert client.post(answer_url(new["awa@post.example"]), {"answer": "safe"}).status_code == 200


def test_another_posts_link_changes_only_its_own_row(client, post_a, post_b, staff):  # type: ignore[no-untyped-def]
    other = StaffMemberFactory(post=post_b, name="Awa Traoré", email="awa@b.example")
    cso = UserFactory(username="cso")
    _a, ours = start(post_a, cso)
    _b, theirs = start(post_b, cso, scope="all")
    assert client.post(answer_url(theirs["awa@b.example"]), {"answer": "left"}).status_code == 200
    other.refresh_from_db()
    assert other.present is False and StaffMember.objects.get(pk=staff[0].pk).present is True
    assert client.get(answer_url(ours["awa@post.example"])).status_code == 200  # still unused


def test_an_unknown_link_is_404_without_saying_why(client, post_a, staff):  # type: ignore[no-untyped-def]
    _checkin, tokens = start(post_a, UserFactory(username="cso"))
    token = tokens["awa@post.example"]
    response = client.get(answer_url(token[:-2]))
    assert response.status_code == 404 and "not valid" in response.content.decode()


def test_one_link_is_rate_limited(client, post_a, staff, settings):  # type: ignore[no-untyped-def]
    settings.CHECKIN_RATE_PER_LINK = 3
    _checkin, tokens = start(post_a, UserFactory(username="cso"))
    url = answer_url(tokens["awa@post.example"])
    assert [client.get(url).status_code for _ in range(3)] == [200, 200, 200]
    limited = client.post(url, {"answer": "safe"})
    assert limited.status_code == 429 and int(limited["Retry-After"]) > 0
    assert not CheckinAnswer.objects.exists()
    # Another link is not held up.
    assert client.get(answer_url(tokens["guards@post.example"])).status_code == 200


def test_guessing_links_from_one_address_is_rate_limited(client, post_a, staff, settings):  # type: ignore[no-untyped-def]
    settings.CHECKIN_RATE_BAD_LINKS = 5
    _checkin, tokens = start(post_a, UserFactory(username="cso"))
    guesses = [
        client.get(answer_url(f"guess{i}"), REMOTE_ADDR="203.0.113.9").status_code for i in range(7)
    ]
    assert guesses == [404] * 5 + [429] * 2
    # Even a real link, from that address, waits; from another address it works.
    real = answer_url(tokens["awa@post.example"])
    assert client.get(real, REMOTE_ADDR="203.0.113.9").status_code == 429
    assert client.get(real, REMOTE_ADDR="198.51.100.7").status_code == 200


def test_opening_a_link_does_not_use_it(client, post_a, staff):  # type: ignore[no-untyped-def]
    # Mail scanners open links before the person does: only the answer uses the link.
    _checkin, tokens = start(post_a, UserFactory(username="cso"))
    url = answer_url(tokens["awa@post.example"])
    assert [client.get(url).status_code for _ in range(3)] == [200, 200, 200]
    assert not CheckinAnswer.objects.exists()
    assert client.post(url, {"answer": "safe"}).status_code == 200
