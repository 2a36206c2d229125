"""One colour per label, the same in every view (terminal, report, page, displaCy): a colour-blind-safe palette.

The seven chromatic colours of Okabe and Ito's palette stay distinguishable under the common colour-vision
deficiencies; they go to the labels slant reports most. Further labels reuse those hues mixed lighter or
darker, which a reader with a colour-vision deficiency still tells apart by lightness. Every view also names
the label (legend, table, tooltip), so colour is never the only cue.
"""

from __future__ import annotations

from functools import cache

# Okabe, M. and Ito, K. (2008), "Color Universal Design": the palette without its black.
OKABE_ITO: dict[str, str] = {
    "orange": "#E69F00",
    "sky_blue": "#56B4E9",
    "bluish_green": "#009E73",
    "yellow": "#F0E442",
    "blue": "#0072B2",
    "vermillion": "#D55E00",
    "reddish_purple": "#CC79A7",
}
# Each label's colour: an Okabe-Ito hue, mixed with white (a positive share) or black (a negative share).
# The seven pure hues go to the labels slant reports most. The other labels the shipped models emit (news and
# memes profiles, 18 in all) got the mixes that keep the 18 furthest apart in the worst of normal vision and
# simulated deuteranopia, protanopia and tritanopia (CAM02-UCS; tests/test_palette.py measures it), choosing
# only mixes light or dark enough to read text on. Labels no shipped model emits take what is left.
_MIXES: dict[str, tuple[str, float]] = {
    "loaded_language": ("orange", 0.0),
    "name_calling": ("sky_blue", 0.0),
    "unhedged_assertion": ("bluish_green", 0.0),
    "scare_quote": ("yellow", 0.0),
    "doubt": ("blue", 0.0),
    "exaggeration_minimisation": ("vermillion", 0.0),
    "appeal_to_fear_prejudice": ("reddish_purple", 0.0),
    "flag_waving": ("vermillion", -0.3),
    "repetition": ("vermillion", 0.6),
    "causal_oversimplification": ("blue", 0.35),
    "slogans": ("bluish_green", -0.3),
    "appeal_to_authority": ("reddish_purple", 0.6),
    "black_and_white_fallacy": ("reddish_purple", -0.3),
    "thought_terminating_cliche": ("blue", 0.6),
    "whataboutism_straw_man_red_herring": ("sky_blue", 0.6),
    "bandwagon_reductio_ad_hitlerum": ("reddish_purple", 0.35),
    "glittering_generalities": ("blue", -0.3),
    "smears": ("yellow", 0.6),
    "whataboutism": ("bluish_green", 0.6),
    "red_herring": ("sky_blue", 0.8),
    "straw_man": ("vermillion", -0.5),
    "bandwagon": ("bluish_green", -0.5),
    "reductio_ad_hitlerum": ("blue", -0.5),
    "obfuscation": ("bluish_green", 0.35),
    "appeal_to_hypocrisy": ("reddish_purple", -0.5),
    "consequential_oversimplification": ("yellow", -0.3),
    "appeal_to_time": ("vermillion", 0.8),
}
FALLBACK = "#BBBBBB"  # a label this table does not know (a custom model's): neutral grey


def _rgb(color: str) -> tuple[int, int, int]:
    value = color.lstrip("#")
    return int(value[0:2], 16), int(value[2:4], 16), int(value[4:6], 16)


def _hex(rgb: tuple[float, float, float]) -> str:
    return "#" + "".join(f"{round(c):02X}" for c in rgb)


def mix(color: str, share: float) -> str:
    """``color`` mixed with white (``share`` > 0) or black (``share`` < 0); ``share`` in [-1, 1]."""
    target = 255.0 if share > 0 else 0.0
    return _hex(tuple(c + abs(share) * (target - c) for c in _rgb(color)))


@cache
def _table() -> dict[str, str]:
    return {label: mix(OKABE_ITO[hue], share) for label, (hue, share) in _MIXES.items()}


def label_color(label: str) -> str:
    """The background colour (``#RRGGBB``) of ``label``; :data:`FALLBACK` for a label slant does not know."""
    return _table().get(label, FALLBACK)


def label_colors(labels: list[str] | tuple[str, ...] | None = None) -> dict[str, str]:
    """``{label: colour}`` for ``labels`` (default: every label of ``slant.taxonomy.LABELS``)."""
    if labels is None:
        from slant import taxonomy

        labels = taxonomy.LABELS
    return {label: label_color(label) for label in labels}


def _luminance(color: str) -> float:
    # WCAG 2 relative luminance.
    def channel(c: int) -> float:
        s = c / 255
        return s / 12.92 if s <= 0.03928 else ((s + 0.055) / 1.055) ** 2.4

    r, g, b = (channel(c) for c in _rgb(color))
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast(a: str, b: str) -> float:
    """WCAG 2 contrast ratio of two colours (1 to 21)."""
    la, lb = sorted((_luminance(a), _luminance(b)), reverse=True)
    return (la + 0.05) / (lb + 0.05)


def text_color(background: str) -> str:
    """Black or white, whichever reads better on ``background``."""
    return "#000000" if contrast(background, "#000000") >= contrast(background, "#FFFFFF") else "#FFFFFF"


def displacy_colors() -> dict[str, str]:
    """The palette for displaCy (registered through spaCy's ``spacy_displacy_colors`` entry point)."""
    return label_colors()
