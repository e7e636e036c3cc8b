"""The notification pages through Django's test client: the list, the header's count,
mark read, and the settings page's forms with their errors."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

from readiness.notifications import services
from readiness.notifications.models import Notification, NotificationSettings, Scope, Subscription
from tests.factories import UserFactory
from tests.notifications.conftest import make_change


@pytest.fixture
def duty_client(client, duty):  # type: ignore[no-untyped-def]
    client.force_login(duty)
    return client


@pytest.fixture
def told(duty, post):  # type: ignore[no-untyped-def]
    """Two unread notifications of the duty officer."""
    services.subscription_create(user=duty, scope=Scope.ALL, on_level=True)
    for level in (2, 3):
        change = make_change(post, before=(level - 1, "watch"), after=(level, "watch"))
        services.change_fan_out(change_id=change.pk)
    return Notification.objects.filter(user=duty)


def test_pages_need_a_sign_in(client, db):  # type: ignore[no-untyped-def]
    for name in ("list", "unread", "settings"):
        response = client.get(reverse(f"notifications:{name}"))
        assert response.status_code == 302
        assert "/accounts/login/" in response["Location"]


def test_the_header_links_to_the_list_and_loads_the_count(duty_client, told):  # type: ignore[no-untyped-def]
    html = duty_client.get(reverse("dashboard:overview")).content.decode()
    assert 'href="/notifications/"' in html
    assert 'hx-get="/notifications/unread/"' in html
    badge = duty_client.get(reverse("notifications:unread"), HTTP_HX_REQUEST="true")
    assert '<span class="unread-count">2</span>' in badge.content.decode()


def test_the_count_costs_one_query_past_the_sign_in(duty_client, told, django_assert_num_queries):  # type: ignore[no-untyped-def]
    with django_assert_num_queries(3):  # session, user, the count
        duty_client.get(reverse("notifications:unread"))


def test_the_list_is_a_fixed_number_of_queries(duty_client, told, post, django_assert_num_queries):  # type: ignore[no-untyped-def]
    # session, user, the notifications (with post and change), the unread count
    with django_assert_num_queries(4):
        assert duty_client.get(reverse("notifications:list")).status_code == 200
    for level in (4, 5, 6):
        change = make_change(post, before=(level - 1, "watch"), after=(level, "watch"))
        services.change_fan_out(change_id=change.pk)
    with django_assert_num_queries(4):
        duty_client.get(reverse("notifications:list"))


def test_no_unread_no_badge(duty_client, db):  # type: ignore[no-untyped-def]
    badge = duty_client.get(reverse("notifications:unread")).content.decode()
    assert "unread-count" not in badge


def test_the_list_shows_the_users_own_newest_first(duty_client, told, post):  # type: ignore[no-untyped-def]
    other = UserFactory(is_staff=True)
    services.subscription_create(user=other, scope=Scope.ALL, on_verdict=True)
    services.change_fan_out(change_id=make_change(post, before=(3, "watch"), after=(3, "late")).pk)
    assert Notification.objects.filter(user=other).exists()
    html = duty_client.get(reverse("notifications:list")).content.decode()
    assert html.index("recommended level 2 → 3") < html.index("recommended level 1 → 2")
    assert "Watch → Late" not in html, "another user's notification"
    assert "2 unread." in html


def test_mark_one_then_all_read(duty_client, told):  # type: ignore[no-untyped-def]
    first = told.order_by("id").first()
    response = duty_client.post(reverse("notifications:read", args=[first.pk]))
    assert response.status_code == 302
    assert told.filter(read_at__isnull=True).count() == 1
    response = duty_client.post(reverse("notifications:read_all"), follow=True)
    assert "1 notifications marked read." in response.content.decode()
    assert not told.filter(read_at__isnull=True).exists()


def test_marking_another_users_notification_changes_nothing(client, told):  # type: ignore[no-untyped-def]
    stranger = UserFactory(is_staff=True)
    client.force_login(stranger)
    client.post(reverse("notifications:read", args=[told.first().pk]))
    assert told.filter(read_at__isnull=True).count() == 2


def test_mark_read_is_a_post(duty_client, told):  # type: ignore[no-untyped-def]
    assert duty_client.get(reverse("notifications:read_all")).status_code == 405


def test_subscribe_to_a_region(duty_client, duty, post, other_post):  # type: ignore[no-untyped-def]
    page = duty_client.get(reverse("notifications:settings")).content.decode()
    assert '<option value="Sahel">Sahel</option>' in page
    response = duty_client.post(
        reverse("notifications:subscription_create"),
        {"scope": "region", "region": "Sahel", "on_verdict": "on", "by_email": "on"},
    )
    assert response.status_code == 302
    subscription = Subscription.objects.get(user=duty)
    assert (subscription.scope, subscription.region) == ("region", "Sahel")
    assert (subscription.on_level, subscription.on_verdict, subscription.by_email) == (
        False,
        True,
        True,
    )
    assert NotificationSettings.objects.get(user=duty).language == "en"
    page = duty_client.get(reverse("notifications:settings")).content.decode()
    assert "Region: Sahel" in page


def test_subscribe_to_chosen_posts(duty_client, duty, post, other_post):  # type: ignore[no-untyped-def]
    duty_client.post(
        reverse("notifications:subscription_create"),
        {"scope": "posts", "posts": [other_post.pk], "on_level": "on"},
    )
    assert list(Subscription.objects.get(user=duty).posts.all()) == [other_post]


@pytest.mark.parametrize(
    "data, error",
    [
        ({"scope": "region", "on_level": "on"}, "Choose a region."),
        ({"scope": "posts", "on_level": "on"}, "Choose at least one post."),
        ({"scope": "all"}, "Choose at least one kind of change."),
        ({"scope": "everything", "on_level": "on"}, "Select a valid choice."),
    ],
)
def test_a_bad_subscription_is_refused_with_its_error_and_keeps_the_input(
    duty_client, post, data, error
):  # type: ignore[no-untyped-def]
    response = duty_client.post(reverse("notifications:subscription_create"), data)
    assert response.status_code == 422
    html = response.content.decode()
    assert error in html
    assert "nothing you typed is lost" in html
    assert not Subscription.objects.exists()


def test_email_without_an_address_is_refused_on_the_form(client, post):  # type: ignore[no-untyped-def]
    user = UserFactory(is_staff=True, email="")
    client.force_login(user)
    response = client.post(
        reverse("notifications:subscription_create"),
        {"scope": "all", "on_level": "on", "by_email": "on"},
    )
    assert response.status_code == 422
    assert "Your account has no e-mail address" in response.content.decode()


def test_a_post_officer_is_offered_their_posts_only(client, officer, post, other_post):  # type: ignore[no-untyped-def]
    client.force_login(officer)
    page = client.get(reverse("notifications:settings")).content.decode()
    assert "ML-BKO" in page and "SN-DKR" not in page
    response = client.post(
        reverse("notifications:subscription_create"),
        {"scope": "posts", "posts": [other_post.pk], "on_level": "on"},
    )
    assert response.status_code == 422
    assert not Subscription.objects.exists()


def test_remove_only_ones_own_subscription(duty_client, duty, db):  # type: ignore[no-untyped-def]
    mine = services.subscription_create(user=duty, scope=Scope.ALL, on_level=True)
    theirs = services.subscription_create(
        user=UserFactory(is_staff=True), scope=Scope.ALL, on_level=True
    )
    duty_client.post(reverse("notifications:subscription_delete", args=[theirs.pk]))
    assert Subscription.objects.filter(pk=theirs.pk).exists()
    duty_client.post(reverse("notifications:subscription_delete", args=[mine.pk]))
    assert not Subscription.objects.filter(pk=mine.pk).exists()


def test_quiet_hours_saved(duty_client, duty):  # type: ignore[no-untyped-def]
    response = duty_client.post(
        reverse("notifications:quiet_hours"),
        {"quiet_from": "22:00", "quiet_until": "07:00", "timezone_name": "Africa/Bamako"},
    )
    assert response.status_code == 302
    row = NotificationSettings.objects.get(user=duty)
    assert (row.quiet_from, row.quiet_until, row.timezone) == (
        dt.time(22),
        dt.time(7),
        "Africa/Bamako",
    )
    page = duty_client.get(reverse("notifications:settings")).content.decode()
    assert 'value="22:00"' in page


@pytest.mark.parametrize(
    "data, error",
    [
        ({"quiet_from": "22:00", "timezone_name": "UTC"}, "Give both the start and the end"),
        (
            {"quiet_from": "22:00", "quiet_until": "22:00", "timezone_name": "UTC"},
            "must end at another time",
        ),
        (
            {"quiet_from": "25:00", "quiet_until": "07:00", "timezone_name": "UTC"},
            "Enter a valid time.",
        ),
        (
            {"quiet_from": "22:00", "quiet_until": "07:00", "timezone_name": "Mars/Olympus"},
            "Select a valid choice.",
        ),
    ],
)
def test_bad_quiet_hours_are_refused_with_their_error(duty_client, duty, data, error):  # type: ignore[no-untyped-def]
    response = duty_client.post(reverse("notifications:quiet_hours"), data)
    assert response.status_code == 422
    assert error in response.content.decode()
    assert not NotificationSettings.objects.filter(user=duty).exists()


def test_without_mail_the_page_says_so_and_offers_no_email(duty_client, settings):  # type: ignore[no-untyped-def]
    settings.EMAIL_ENABLED = False
    page = duty_client.get(reverse("notifications:settings")).content.decode()
    assert "This server sends no e-mail" in page
    assert 'name="by_email"' not in page
