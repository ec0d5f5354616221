"""The web pages' catalogue: every Finnish text has its Swedish one, with the same placeholders."""

from __future__ import annotations

import string

from kokemus_docs.web.i18n import LANGUAGES, TEXTS


def placeholders(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name is not None}


def test_every_page_language_has_every_text():
    keys = {language: set(TEXTS[language]) for language in LANGUAGES}
    for language in LANGUAGES:
        assert keys[language] == keys["fi"], (language, sorted(keys[language] ^ keys["fi"]))
    assert set(TEXTS["en"]) <= keys["fi"], sorted(set(TEXTS["en"]) - keys["fi"])


def test_a_text_takes_the_same_placeholders_in_every_language():
    for language, texts in TEXTS.items():
        for key, text in texts.items():
            assert text.strip(), (language, key)
            assert placeholders(text) == placeholders(TEXTS["fi"][key]), (language, key)
