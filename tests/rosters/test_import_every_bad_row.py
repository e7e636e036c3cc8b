"""A roster import reports every bad row, each with its line in the file (the header is
line 1), whatever the kind of fault: an unknown post code no longer hides the others."""

from __future__ import annotations

import re

import pytest

from readiness.rosters.models import StaffMember
from tests.factories import PostFactory
from tests.rosters.test_import_export import CSV, HEADER, upload

pytestmark = pytest.mark.django_db


def test_every_bad_row_is_reported_with_its_line(admin_client):  # type: ignore[no-untyped-def]
    PostFactory(code="ML-BKO")
    content = (
        HEADER  # line 1
        + "ML-BKO,A. Diallo,Consul,expatriate,1,1,2,a@x.example,,1,\n"  # line 2: good
        + "ML-BKO,C. Traore,Guard,tourist,0,1,0,,,1,\n"  # line 3
        + "ML-XXX,D. Traore,Guard,local,0,1,0,,,1,\n"  # line 4
        + "ML-BKO,E. Traore,Guard,local,0,1,0,not-an-email,,1,\n"  # line 5
        + "ML-BKO,Guards,Guard,local,0,3000,0,,,1,\n"  # line 6
    ).encode()
    response = upload(admin_client, content, "staff.csv", CSV)
    result = response.context["result"]
    assert not result.has_errors()
    assert [row.number for row in result.invalid_rows] == [3, 4, 5, 6]
    html = response.content.decode()
    for fault in (
        "is not a valid choice",
        "no post with code",
        "valid email",
        "3000 people in one staff row",
    ):
        assert fault in html
    assert response.context.get("confirm_form") is None  # nothing to confirm: nothing saved
    assert StaffMember.objects.count() == 0
    assert re.search(r"<td>\s*3\s*</td>", html)
