"""Every text exists in English and Japanese with the same placeholders."""

import re
import string

import pytest

from losslab.i18n import LANGS, TEXTS

JAPANESE = re.compile(r"[\u3040-\u30ff\u4e00-\u9fff]")


def fields(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name}


@pytest.mark.parametrize("key", sorted(TEXTS))
def test_both_languages_with_the_same_placeholders(key):
    entry = TEXTS[key]
    assert set(entry) == set(LANGS)
    assert entry["en"].strip() and entry["ja"].strip()
    assert fields(entry["en"]) == fields(entry["ja"])
    assert not JAPANESE.search(entry["en"])
    # Texts that are words (not a bare formula) are written in Japanese.
    if re.search(r"[a-z]{4,}", re.sub(r"\{[^}]*\}|<[^>]+>|%\([a-z]+\)s", "", entry["en"])):
        assert JAPANESE.search(entry["ja"]), key
