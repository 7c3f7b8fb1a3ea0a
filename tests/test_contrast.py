"""Every state's colour in app/static/kiemtra.css reads at WCAG AA (4.5:1), whatever page shows it and
in either language (the words change, the colours do not): the badges against their own background,
the coloured words against every background a row of kiemtra takes."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

CSS = (Path(__file__).resolve().parents[1] / "app" / "static" / "kiemtra.css").read_text()
# White, a striped or hovered table row, Bootstrap's light background, an unread row of the inbox.
ROW_BACKGROUNDS = ("#ffffff", "#f2f2f2", "#f8f9fa", "#fffaf3")
NAVBAR = "#8b1a1a"


def luminance(colour: str) -> float:
    hex_digits = colour.lstrip("#")
    if len(hex_digits) == 3:
        hex_digits = "".join(c * 2 for c in hex_digits)
    channels = []
    for i in (0, 2, 4):
        c = int(hex_digits[i : i + 2], 16) / 255
        channels.append(c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4)
    return 0.2126 * channels[0] + 0.7152 * channels[1] + 0.0722 * channels[2]


def contrast(a: str, b: str) -> float:
    light, dark = sorted((luminance(a), luminance(b)), reverse=True)
    return (light + 0.05) / (dark + 0.05)


def rules() -> list[tuple[str, str | None, str | None]]:
    found = []
    for match in re.finditer(r"([^{}]+)\{([^}]*)\}", CSS):
        selector, body = match.group(1).strip().split("*/")[-1].strip(), match.group(2)
        background = re.search(r"background:\s*(#[0-9a-fA-F]{3,6})\b", body)
        colour = re.search(r"(?<![-\w])color:\s*(#[0-9a-fA-F]{3,6})\b", body)
        found.append((selector, colour and colour.group(1), background and background.group(1)))
    return found


STATE_RULES = [r for r in rules() if re.match(r"\.(kt-(status|task|note|news|ext)-|t-)", r[0])]


def test_the_state_rules_are_found():
    assert len(STATE_RULES) >= 25


@pytest.mark.parametrize(("selector", "colour", "background"), STATE_RULES, ids=[r[0] for r in STATE_RULES])
def test_a_state_colour_reads_at_aa(selector, colour, background):
    assert colour, f"{selector}: no colour of its own"
    for behind in [background] if background else ROW_BACKGROUNDS:
        assert contrast(colour, behind) >= 4.5, f"{selector}: {colour} on {behind}"


def test_the_navbar_words_and_focus_ring_read_on_its_red():
    navbar = re.search(r"\.kt-navbar \{([^}]*)\}", CSS)
    assert navbar and NAVBAR in navbar.group(1)
    alpha = float(re.search(r"--bs-navbar-color: rgba\(255, 255, 255, (\.\d+)\)", navbar.group(1)).group(1))
    red, green, blue = (int(NAVBAR[i : i + 2], 16) for i in (1, 3, 5))
    words = "#" + "".join(f"{round(alpha * 255 + (1 - alpha) * c):02x}" for c in (red, green, blue))
    assert contrast(words, NAVBAR) >= 4.5
    ring = re.search(r"--kt-focus: (#[0-9a-f]{3,6})", navbar.group(1)).group(1)
    assert contrast(ring, NAVBAR) >= 3


def test_the_focus_ring_and_links_read_on_every_row_and_alert():
    ring = re.search(r":root \{[^}]*--kt-focus: (#[0-9a-f]{6})", CSS).group(1)
    link = re.search(r"--bs-link-color: (#[0-9a-f]{6})", CSS).group(1)
    # Bootstrap's alert backgrounds (danger, warning, success, info, primary) and the rows above.
    for behind in (*ROW_BACKGROUNDS, "#f8d7da", "#fff3cd", "#d1e7dd", "#cff4fc", "#cfe2ff"):
        assert contrast(ring, behind) >= 3, behind
        assert contrast(link, behind) >= 4.5, behind
