"""The admin's import pages: upload, refusal shown on the form, the log, who may import;
and the origin of imported indicators on the post page."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import Permission
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from readiness.assessments.services import post_rescore
from readiness.feeds.models import FeedImport
from readiness.indicators.models import Feed, Indicator
from tests.factories import UserFactory
from tests.feeds.conftest import FIXTURES, acled_text

pytestmark = pytest.mark.django_db

ACLED_URL = "admin:feeds_acled"
ADVISORIES_URL = "admin:feeds_advisories"


def upload(name: str, content: bytes) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type="application/octet-stream")


def test_the_import_log_offers_both_imports(admin_client):  # type: ignore[no-untyped-def]
    page = admin_client.get(reverse("admin:feeds_feedimport_changelist")).content.decode()
    assert reverse(ACLED_URL) in page and reverse(ADVISORIES_URL) in page


def test_an_acled_file_uploaded_is_imported(admin_client, administrator, mali):  # type: ignore[no-untyped-def]
    response = admin_client.post(
        reverse(ACLED_URL), {"file": upload("mali.csv", acled_text().encode())}
    )
    assert response.status_code == 302
    assert Indicator.objects.filter(post=mali, feed__name="ACLED").count() == 3
    log = FeedImport.objects.get()
    assert (log.ok, log.by, log.file_name, log.created) == (True, administrator, "mali.csv", 3)
    followed = admin_client.get(response["Location"]).content.decode()
    assert "Mali.csv: 6 rows: 3 indicators recorded" in followed  # capitalised by the admin


def test_a_malformed_upload_shows_the_line_and_imports_nothing(admin_client, mali):  # type: ignore[no-untyped-def]
    text = acled_text().replace("Peaceful protest", "Peaceful march")
    response = admin_client.post(reverse(ACLED_URL), {"file": upload("bad.csv", text.encode())})
    assert response.status_code == 400
    assert "Nothing imported: line 6: sub_event_type: unknown" in response.content.decode()
    assert not Indicator.objects.exists()


def test_a_file_that_is_not_text_is_refused(admin_client, mali):  # type: ignore[no-untyped-def]
    response = admin_client.post(reverse(ACLED_URL), {"file": upload("x.csv", b"\xff\xfe\x00a")})
    assert response.status_code == 400
    assert "not a readable CSV file" in response.content.decode()


def test_an_advisory_document_uploaded_is_imported_under_its_government(admin_client, mali):  # type: ignore[no-untyped-def]
    document = (FIXTURES / "us_advisories_ordered.xml").read_bytes()
    response = admin_client.post(reverse(ADVISORIES_URL), {"file": upload("us.xml", document)})
    assert response.status_code == 302
    (advice,) = Indicator.objects.filter(post=mali)
    assert (advice.feed.name, advice.severity) == ("US travel advisories", 5)
    response = admin_client.post(reverse(ADVISORIES_URL), {"file": upload("x.xml", b"<rss")})
    assert response.status_code == 400 and "not well-formed" in response.content.decode()


def test_a_chosen_feed_is_used(admin_client, mali):  # type: ignore[no-untyped-def]
    from readiness.indicators.services import feed_create

    feed = feed_create(name="Sahel desk", reliability="C", posts=[mali])[0]
    admin_client.post(
        reverse(ACLED_URL), {"feed": feed.pk, "file": upload("m.csv", acled_text().encode())}
    )
    assert set(Indicator.objects.values_list("feed__name", "reliability")) == {("Sahel desk", "C")}


def test_staff_who_may_not_add_indicators_may_not_import(client, mali):  # type: ignore[no-untyped-def]
    user = UserFactory(is_staff=True)
    user.user_permissions.add(Permission.objects.get(codename="view_feedimport"))
    client.force_login(user)
    assert client.get(reverse(ACLED_URL)).status_code == 403
    assert client.get(reverse(ADVISORIES_URL)).status_code == 403
    response = client.post(reverse(ACLED_URL), {"file": upload("m.csv", acled_text().encode())})
    assert response.status_code == 403 and not Indicator.objects.exists()
    assert not Feed.objects.exists()


def test_the_post_page_says_where_each_imported_indicator_came_from(admin_client, mali):  # type: ignore[no-untyped-def]
    admin_client.post(reverse(ACLED_URL), {"file": upload("m.csv", acled_text().encode())})
    document = (FIXTURES / "us_advisories_ordered.xml").read_bytes()
    admin_client.post(reverse(ADVISORIES_URL), {"file": upload("us.xml", document)})
    post_rescore(post_id=mali.pk)
    page = admin_client.get(reverse("dashboard:post", args=[mali.code])).content.decode()
    ied = Indicator.objects.get(event="acled-MLI40101")
    advice = Indicator.objects.get(category="peer_action")
    for indicator in (ied, advice):
        start = page.index(f'id="indicator-{indicator.pk}"')
        row = page[start : page.index("</tr>", start)]
        assert indicator.feed.name in row
    assert "ACLED MLI40101 (reported by Studio Tamani; AFP)" in page
    assert "US travel advisories, United States (https://travel.state.gov/" in page


@pytest.mark.parametrize("model", ["feedimport", "advisorylevel", "acledversion"])
def test_the_feed_lists_render_in_a_fixed_number_of_queries(admin_client, mali, model):  # type: ignore[no-untyped-def]
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    url = reverse(f"admin:feeds_{model}_changelist")

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert admin_client.get(url).status_code == 200
        return len(captured)

    admin_client.post(reverse(ACLED_URL), {"file": upload("m.csv", acled_text().encode())})
    admin_client.post(
        reverse(ADVISORIES_URL),
        {"file": upload("us.xml", (FIXTURES / "us_advisories_level3.xml").read_bytes())},
    )
    few = queries()
    admin_client.post(
        reverse(ADVISORIES_URL),
        {"file": upload("us.xml", (FIXTURES / "us_advisories_ordered.xml").read_bytes())},
    )
    admin_client.post(
        reverse(ACLED_URL),
        {"file": upload("m.csv", acled_text().replace("MLI", "MLX").encode())},
    )
    assert queries() == few
