"""Every dashboard page needs a signed-in user; the sign-in page works and is accessible."""

from __future__ import annotations

import pytest
from django.urls import reverse

from readiness.dashboard.urls import urlpatterns

pytestmark = pytest.mark.django_db


def resolved_urls(post) -> list[str]:  # type: ignore[no-untyped-def]
    route = post.routes.first()
    staff = post.staff.first()
    item = post.levels.get(rank=1).actions.first()
    kwargs = {
        "overview": {},
        "brief": {},
        "brief_issue": {},
        "post": {"code": post.code},
        "post_poll": {"code": post.code},
        "post_events": {"code": post.code},
        "overview_events": {},
        "indicator_create": {"code": post.code},
        "decision_create": {"code": post.code},
        "indicator_withdraw": {"code": post.code, "pk": post.indicators.first().pk},
        "route_check": {"code": post.code, "pk": route.pk},
        "staff_confirm": {"code": post.code, "pk": staff.pk},
        "action_tick": {"code": post.code, "pk": item.pk},
    }
    assert set(kwargs) == {p.name for p in urlpatterns}, "a new page needs a line here"
    return [reverse(f"dashboard:{name}", kwargs=kw) for name, kw in kwargs.items()]


def test_every_page_sends_an_anonymous_visitor_to_sign_in(client, post_a):  # type: ignore[no-untyped-def]
    for url in resolved_urls(post_a):
        for method in (client.get, client.post):
            response = method(url)
            if response.status_code == 405:
                continue
            assert response.status_code == 302, (method, url)
            assert response["Location"].startswith(reverse("login")), url


def test_the_sign_in_page(client):  # type: ignore[no-untyped-def]
    html = client.get(reverse("login")).content.decode()
    assert '<label for="id_username">' in html and '<label for="id_password">' in html
    assert '<main id="main"' in html and 'lang="en"' in html


def test_signing_in_leads_to_the_overview(client, duty_officer):  # type: ignore[no-untyped-def]
    response = client.post(
        reverse("login"), {"username": "duty", "password": "correct-horse-battery"}
    )
    assert response.status_code == 302 and response["Location"] == "/"
    assert "Posts by urgency" in client.get("/").content.decode()


def test_a_wrong_password_says_so(client, duty_officer):  # type: ignore[no-untyped-def]
    response = client.post(reverse("login"), {"username": "duty", "password": "nope"})
    assert response.status_code == 200
    assert 'role="alert"' in response.content.decode()


def test_the_page_has_landmarks_and_a_skip_link(duty_client, post_a):  # type: ignore[no-untyped-def]
    html = duty_client.get(reverse("dashboard:post", args=[post_a.code])).content.decode()
    for landmark in (
        '<header class="site-header">',
        '<nav class="site-nav"',
        '<main id="main"',
        "<footer",
        'href="#main"',
    ):
        assert landmark in html
    assert html.count("<h1") == 1


def test_the_admin_links_to_the_dashboards(admin_client):  # type: ignore[no-untyped-def]
    html = admin_client.get(reverse("admin:index")).content.decode()
    assert f'href="{reverse("dashboard:overview")}"' in html
