"""Whatever is pasted (cut short, run together, shouted, shuffled), the parser answers with a draft
or with a clear ValidationFailed: never with another exception."""

from __future__ import annotations

import random
import unicodedata

import pytest

from tests.intake.expected import article_paths
from workflows.errors import ValidationFailed
from workflows.intake import parse_article


def _variants(text: str) -> list[str]:
    rng = random.Random(len(text))  # the same variants on every run
    lines = text.splitlines()
    shuffled = lines[:]
    rng.shuffle(shuffled)
    cuts = [text[: len(text) * k // 8] for k in range(1, 8)] + [
        text[len(text) * k // 8 :] for k in range(1, 8)
    ]
    return [
        *cuts,
        " ".join(lines),
        "\n".join(shuffled),
        text.upper(),
        text.lower(),
        text.replace(" ", "\n"),
        unicodedata.normalize("NFD", text).replace("\n", "\n\n"),
        "\n".join(line[: len(line) // 2] for line in lines),
        "".join(ch if rng.random() > 0.03 else rng.choice("()[]:;.,-–/«»") for ch in text),
    ]


@pytest.mark.parametrize("path", article_paths(), ids=lambda p: p.stem)
def test_damaged_articles_give_a_draft_or_a_clear_message(path):
    for variant in _variants(path.read_text(encoding="utf-8")):
        try:
            draft = parse_article(variant)
        except ValidationFailed as error:
            assert error.message
            continue
        assert draft.to_dict()["text"] == draft.text
        for directive in draft.directives:
            assert directive.text.strip()
            assert 0 <= directive.span[0] <= directive.span[1] <= len(draft.text)
