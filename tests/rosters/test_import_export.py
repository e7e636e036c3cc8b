"""Roster import through the admin: a dry-run preview first, row errors shown, nothing saved
unless every row is valid; export as CSV and XLSX."""

from __future__ import annotations

import io
import re

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from readiness.rosters.models import School, StaffMember
from tests.factories import PostFactory, StaffMemberFactory

pytestmark = pytest.mark.django_db

CSV, XLSX = "0", "1"  # positions in settings.IMPORT_EXPORT_FORMATS

HEADER = (
    "post,name,role,category,essential,headcount,dependants,email,phone,present,last_confirmed_at\n"
)


def upload(client, content: bytes, name: str, fmt: str):  # type: ignore[no-untyped-def]
    return client.post(
        reverse("admin:rosters_staffmember_import"),
        {"resource": "0", "format": fmt, "import_file": SimpleUploadedFile(name, content)},
    )


def confirm(client, preview):  # type: ignore[no-untyped-def]
    form = preview.context["confirm_form"]
    return client.post(reverse("admin:rosters_staffmember_process_import"), form.initial)


@pytest.fixture
def post(db):  # type: ignore[no-untyped-def]
    return PostFactory(code="ML-BKO")


def test_good_csv_previews_then_creates_rows(admin_client, post):  # type: ignore[no-untyped-def]
    content = (
        HEADER
        + "ML-BKO,A. Diallo,Consul,expatriate,1,1,2,a@x.example,,1,\n"
        + "ML-BKO,B. Keita,Driver,local,0,1,0,,+22370000000,1,\n"
    ).encode()
    preview = upload(admin_client, content, "staff.csv", CSV)
    assert preview.status_code == 200
    assert StaffMember.objects.count() == 0, "the preview is a dry run"
    assert preview.context["confirm_form"] is not None
    assert "A. Diallo" in preview.content.decode()

    response = confirm(admin_client, preview)
    assert response.status_code == 302
    assert set(StaffMember.objects.values_list("name", flat=True)) == {"A. Diallo", "B. Keita"}
    assert StaffMember.objects.get(name="A. Diallo").dependants == 2


def test_reimport_updates_by_post_and_name(admin_client, post):  # type: ignore[no-untyped-def]
    StaffMemberFactory(post=post, name="A. Diallo", dependants=0)
    content = (HEADER + "ML-BKO,A. Diallo,Consul,expatriate,1,1,3,a@x.example,,1,\n").encode()
    confirm(admin_client, upload(admin_client, content, "staff.csv", CSV))
    assert StaffMember.objects.get(name="A. Diallo").dependants == 3
    assert StaffMember.objects.count() == 1


@pytest.mark.parametrize(
    "bad_row, message",
    [
        ("ML-BKO,C. Traore,Guard,tourist,0,1,0,,,1,", "is not a valid choice"),
        ("ML-BKO,C. Traore,Guard,local,0,0,0,,,1,", "greater than or equal to 1"),
        ("ML-BKO,C. Traore,Guard,local,0,1,-2,,,1,", "greater than or equal to 0"),
        ("ML-XXX,C. Traore,Guard,local,0,1,0,,,1,", "no post with code"),
        ("ML-BKO,C. Traore,Guard,local,0,1,0,not-an-email,,1,", "valid email"),
        ("ML-BKO,Guards,Guard,local,0,3000,0,,,1,", "3000 people in one staff row"),
        ("ML-BKO,C. Traore,Guard,local,0,1,6000,,,1,", "6000 dependants for one staff row"),
    ],
    ids=["category", "headcount", "dependants", "unknown post", "email", "group", "family"],
)
def test_bad_row_is_reported_and_nothing_is_saved(admin_client, post, bad_row, message):  # type: ignore[no-untyped-def]
    content = (HEADER + "ML-BKO,A. Diallo,Consul,expatriate,1,1,2,,,1,\n" + bad_row + "\n").encode()
    preview = upload(admin_client, content, "staff.csv", CSV)
    assert preview.status_code == 200
    page = preview.content.decode()
    result = preview.context["result"]
    assert result.has_errors() or result.has_validation_errors()
    assert preview.context.get("confirm_form") is None, "an invalid file cannot be confirmed"
    # The page names the bad row (the second data row: line 3 of the file, the header being
    # line 1) and says what is wrong with it.
    assert re.search(r"Line number: 3\b|<td[^>]*>\s*3\s*</td>", page)
    assert message in page
    assert StaffMember.objects.count() == 0


def test_export_csv_and_xlsx(admin_client, post):  # type: ignore[no-untyped-def]
    StaffMemberFactory(post=post, name="A. Diallo")
    url = reverse("admin:rosters_staffmember_export")
    response = admin_client.post(url, {"format": CSV, "resource": "0", "export_items": []})
    if response.status_code == 200 and response.get("Content-Type", "").startswith("text/html"):
        # import-export 4 asks which fields to export: take them all.
        form = response.context["form"]
        data = {"format": CSV, "resource": "0"}
        for name in form.fields:
            if name.startswith("staffmemberresource_"):
                data[name] = "on"
        response = admin_client.post(url, data)
    assert response["Content-Type"].startswith("text/csv")
    assert b"A. Diallo" in response.content

    data["format"] = XLSX
    response = admin_client.post(url, data)
    book = openpyxl.load_workbook(io.BytesIO(response.content))
    rows = list(book.active.iter_rows(values_only=True))
    assert "A. Diallo" in rows[1]


def test_good_xlsx_imports(admin_client, post):  # type: ignore[no-untyped-def]
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(HEADER.strip().split(","))
    sheet.append(["ML-BKO", "D. Coulibaly", "Teacher", "expatriate", 0, 1, 1, "", "", 1, None])
    buffer = io.BytesIO()
    book.save(buffer)
    preview = upload(admin_client, buffer.getvalue(), "staff.xlsx", XLSX)
    assert preview.context["confirm_form"] is not None
    confirm(admin_client, preview)
    assert StaffMember.objects.get().name == "D. Coulibaly"


def test_a_school_row_above_a_ceiling_is_named_and_nothing_is_saved(admin_client, post):  # type: ignore[no-untyped-def]
    content = (
        "post,name,pupils,expatriate_staff,is_open\n"
        "ML-BKO,Lycée Liberté,900,40,1\n"
        "ML-BKO,École Kayes,90000,5,1\n"
    ).encode()
    preview = admin_client.post(
        reverse("admin:rosters_school_import"),
        {"resource": "0", "format": CSV, "import_file": SimpleUploadedFile("schools.csv", content)},
    )
    page = preview.content.decode()
    assert preview.context.get("confirm_form") is None, "an invalid file cannot be confirmed"
    assert re.search(r"Line number: 3\b|<td[^>]*>\s*3\s*</td>", page)  # the file's line
    assert "pupils" in page and "90000 pupils in one school is implausible" in page
    assert School.objects.count() == 0
