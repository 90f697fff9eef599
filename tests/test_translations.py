"""Every message is translated into Finnish and Swedish, and the compiled catalogues are
the ones in use."""

import shutil
import subprocess
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
