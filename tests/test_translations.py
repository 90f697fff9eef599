"""Every message is translated into Finnish and Swedish, and the compiled catalogues are
the ones in use."""

import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from django.utils import translation
from django.utils.translation import gettext

LOCALE = Path(__file__).resolve().parents[1] / "locale"


@pytest.mark.parametrize("language", ["fi", "sv"])
def test_catalogue_is_complete(language):
    if not shutil.which("msgfmt"):
        pytest.skip("gettext's msgfmt is not installed")
    result = subprocess.run(
        [
            "msgfmt",
            "--statistics",
            "--check-format",
            "-o",
            "/dev/null",
            str(LOCALE / language / "LC_MESSAGES" / "django.po"),
        ],
        capture_output=True,
        text=True,
        check=True,
    )
    assert "untranslated" not in result.stderr and "fuzzy" not in result.stderr, result.stderr


@pytest.mark.parametrize(
    ("language", "expected"),
    [("fi", "Omat tehtävät"), ("sv", "Mina uppgifter"), ("en", "My tasks")],
)
def test_interface_speaks_the_users_language(language, expected):
    with translation.override(language):
        assert gettext("My tasks") == expected


def _msgids(po: Path) -> set[str]:
    """The messages of a catalogue (each msgid, joined over its continuation lines)."""
    ids, current, inside = set(), [], False
    for line in po.read_text(encoding="utf-8").splitlines() + [""]:
        if line.startswith("msgid "):
            current, inside = [line[6:]], True
        elif inside and line.startswith('"'):
            current.append(line)
        else:
            if inside:
                ids.add("".join(part.strip('"') for part in current))
            inside = False
    ids.discard("")
    return ids


def test_every_message_in_the_code_is_in_the_catalogue(tmp_path):
    """``make messages`` would add nothing: no message reaches users untranslated because
    it never made it into the catalogue."""
    if not shutil.which("xgettext"):
        pytest.skip("gettext's xgettext is not installed")
    root = LOCALE.parent
    copy = tmp_path / "src"
    shutil.copytree(
        root,
        copy,
        ignore=shutil.ignore_patterns(
            ".venv", "node_modules", ".git", "tests", "bench", "*.sqlite3", "__pycache__"
        ),
    )
    subprocess.run(
        [sys.executable, "manage.py", "makemessages", "-l", "fi", "--no-obsolete"],
        cwd=copy,
        capture_output=True,
        check=True,
    )
    extracted = _msgids(copy / "locale" / "fi" / "LC_MESSAGES" / "django.po")
    missing = extracted - _msgids(LOCALE / "fi" / "LC_MESSAGES" / "django.po")
    assert not missing, sorted(missing)
