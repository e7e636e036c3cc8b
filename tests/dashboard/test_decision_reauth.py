"""Re-authentication before a level decision: a sign-in older than
settings.DECISION_REAUTH_MINUTES, or the password typed again (readiness/dashboard/reauth.py)."""

from __future__ import annotations

import time

import pytest
from django.urls import reverse

from readiness.assessments.models import Decision
from readiness.dashboard.reauth import SESSION_KEY
from readiness.posts.models import Post
from tests.dashboard.conftest import htmx
from tests.dashboard.test_decision_view import form_data, url

pytestmark = pytest.mark.django_db

PASSWORD = "correct-horse-battery"  # tests.factories.UserFactory's


def signed_in_minutes_ago(client, minutes: float) -> None:  # type: ignore[no-untyped-def]
    session = client.session
    session[SESSION_KEY] = int(time.time() - minutes * 60)
    session.save()


def test_a_fresh_sign_in_records_the_decision_without_the_password(
    client, duty_officer, bamako_today
):  # type: ignore[no-untyped-def]
    signed_in = client.post(  # the real sign-in page (throttled by django-axes)
        reverse("login"), {"username": duty_officer.username, "password": PASSWORD}
    )
    assert signed_in.status_code == 302
    response = client.post(url(bamako_today), form_data(bamako_today), **htmx("record-decision"))
    assert response.status_code == 200
    assert Decision.objects.filter(post=bamako_today, origin="officer").exists()


def test_an_old_sign_in_asks_for_the_password_and_keeps_what_was_typed(duty_client, bamako_today):  # type: ignore[no-untyped-def]
    signed_in_minutes_ago(duty_client, 16)
    data = form_data(bamako_today, rationale="Peers have left; we follow.")
    response = duty_client.post(url(bamako_today), data, **htmx("record-decision"))
    html = response.content.decode()
    assert response.status_code == 422
    assert "type your password to record this decision" in html
    assert "Peers have left; we follow." in html
    assert f'<option value="{data["to_level"]}" selected>' in html
    assert not Decision.objects.filter(post=bamako_today, origin="officer").exists()
    assert Post.objects.get(pk=bamako_today.pk).level == bamako_today.level


def test_a_session_without_a_sign_in_time_is_not_fresh(duty_client, bamako_today):  # type: ignore[no-untyped-def]
    session = duty_client.session
    del session[SESSION_KEY]
    session.save()
    response = duty_client.post(url(bamako_today), form_data(bamako_today))
    assert response.status_code == 422
    assert not Decision.objects.filter(post=bamako_today, origin="officer").exists()


def test_a_wrong_password_is_refused_and_not_echoed(duty_client, bamako_today):  # type: ignore[no-untyped-def]
    signed_in_minutes_ago(duty_client, 60)
    data = form_data(bamako_today, password="guess-number-one")
    response = duty_client.post(url(bamako_today), data, **htmx("record-decision"))
    html = response.content.decode()
    assert response.status_code == 422
    assert "That is not your password" in html
    assert "guess-number-one" not in html
    assert not Decision.objects.filter(post=bamako_today, origin="officer").exists()


def test_another_user_s_password_does_not_do(duty_client, bamako_today, crisis_member):  # type: ignore[no-untyped-def]
    signed_in_minutes_ago(duty_client, 60)
    crisis_member.set_password("their-own-long-password")
    crisis_member.save()
    data = form_data(bamako_today, password="their-own-long-password")
    assert duty_client.post(url(bamako_today), data).status_code == 422
    assert not Decision.objects.filter(post=bamako_today, origin="officer").exists()


def test_the_right_password_records_it_and_refreshes_the_session(duty_client, bamako_today):  # type: ignore[no-untyped-def]
    signed_in_minutes_ago(duty_client, 60)
    response = duty_client.post(
        url(bamako_today), form_data(bamako_today, password=PASSWORD), **htmx("record-decision")
    )
    assert response.status_code == 200
    decision = Decision.objects.get(post=bamako_today, origin="officer")
    assert decision.decided_by.username == "duty"
    assert time.time() - duty_client.session[SESSION_KEY] < 60


def test_the_window_is_a_setting(duty_client, bamako_today, settings):  # type: ignore[no-untyped-def]
    settings.DECISION_REAUTH_MINUTES = 120
    signed_in_minutes_ago(duty_client, 60)
    assert duty_client.post(url(bamako_today), form_data(bamako_today)).status_code == 302
    settings.DECISION_REAUTH_MINUTES = 1
    signed_in_minutes_ago(duty_client, 2)
    post = Post.objects.get(pk=bamako_today.pk)
    assert (
        duty_client.post(
            url(post), form_data(post, to_level=0, against_recommendation_confirmed="on")
        ).status_code
        == 422
    )


def test_the_form_offers_the_password_field(duty_client, bamako_today):  # type: ignore[no-untyped-def]
    html = duty_client.get(reverse("dashboard:post", args=[bamako_today.code])).content.decode()
    form = html[html.index('id="record-decision"') :]
    form = form[: form.index("</section>")]
    assert 'type="password" name="password"' in form and 'autocomplete="current-password"' in form
