"""The committed French catalogue: compiled from its .po (the .mo the server reads is not
stale), and complete (no entry left fuzzy or empty by makemessages)."""

from __future__ import annotations

import gettext
import os
import re
import shutil
import subprocess
import sys
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


def _messages(po: Path) -> set[tuple[str, str]]:
    """The (context, msgid) of every live entry of a .po file."""
    found = set()
    for entry in po.read_text(encoding="utf-8").split("\n\n"):
        fields: dict[str, str] = {}
        key = None
        for line in entry.splitlines():
            if line.startswith("#"):
                continue
            head = re.match(r"^(msgctxt|msgid|msgid_plural|msgstr(?:\[\d\])?) ", line)
            if head:
                key = head.group(1)
                line = line[head.end() :]
            if key and line.startswith('"'):
                fields[key] = fields.get(key, "") + line[1:-1]
        if fields.get("msgid"):
            found.add((fields.get("msgctxt", ""), fields["msgid"]))
    return found


def test_every_message_in_the_code_is_in_the_catalogue(tmp_path: Path) -> None:
    """makemessages over a copy of the code finds no message the committed catalogue lacks
    (a new gettext string would otherwise show in English to French readers)."""
    root = LOCALE.parent
    for folder in ("readiness", "templates", "locale"):
        shutil.copytree(root / folder, tmp_path / folder, ignore=shutil.ignore_patterns("*.pyc"))
    shutil.copy(root / "manage.py", tmp_path / "manage.py")
    for po in CATALOGUES:
        language = po.parts[-3]
        subprocess.run(
            [sys.executable, "manage.py", "makemessages", "-l", language, "-v", "0"],
            cwd=tmp_path,
            check=True,
            env={**os.environ, "PYTHONPATH": str(tmp_path)},
        )
        fresh = tmp_path / "locale" / language / "LC_MESSAGES" / "django.po"
        missing = sorted(_messages(fresh) - _messages(po))
        assert not missing, f"run makemessages -l {language} and translate: {missing[:5]}"
