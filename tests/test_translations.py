"""The committed French catalogue: compiled from its .po (the .mo the server reads is not
stale), and complete (no entry left fuzzy or empty by makemessages)."""

from __future__ import annotations

import gettext
import re
import shutil
import subprocess
from pathlib import Path

import pytest

LOCALE = Path(__file__).resolve().parents[1] / "locale"
CATALOGUES = sorted(LOCALE.glob("*/LC_MESSAGES/django.po"))


@pytest.mark.parametrize("po", CATALOGUES, ids=lambda p: p.parts[-3])
def test_the_committed_mo_is_compiled_from_the_po(po: Path, tmp_path: Path) -> None:
    msgfmt = shutil.which("msgfmt")
    assert msgfmt, "msgfmt (gettext) is needed: apt-get install gettext"
    fresh = tmp_path / "django.mo"
    subprocess.run([msgfmt, "--check-format", "-o", str(fresh), str(po)], check=True)
    with fresh.open("rb") as f:
        expected = gettext.GNUTranslations(f)._catalog  # type: ignore[attr-defined]
    with po.with_suffix(".mo").open("rb") as f:
        committed = gettext.GNUTranslations(f)._catalog  # type: ignore[attr-defined]
    stale = sorted(str(k) for k in expected.keys() ^ committed.keys())[:5]
    assert expected == committed, f"run compilemessages; differs at {stale or 'a translation'}"


@pytest.mark.parametrize("po", CATALOGUES, ids=lambda p: p.parts[-3])
def test_no_entry_is_fuzzy_or_untranslated(po: Path) -> None:
    entries = po.read_text(encoding="utf-8").split("\n\n")[1:]  # the first is the header
    fuzzy = [e for e in entries if re.search(r"^#,.*\bfuzzy\b", e, re.M)]
    empty = [
        e
        for e in entries
        if not e.startswith("#~") and re.search(r'^msgstr(\[\d\])? ""(?:\n(?!")|\Z)', e, re.M)
    ]
    assert not fuzzy, fuzzy[0]
    assert not empty, empty[0]
