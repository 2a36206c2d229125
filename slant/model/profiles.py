"""Decoding profiles: one trained network, thresholds and calibration fitted per genre.

The network learns news articles (PTC) and meme captions (SemEval-2021) together, but the two genres want
different decisions: a caption of twenty words is mostly technique, an article mostly not, and techniques
such as smears are annotated only in memes. Each profile is fitted on the held-out train documents of its
corpus (never on dev); ``news`` is the default everywhere.
"""

from __future__ import annotations

from dataclasses import dataclass

from slant.errors import UsageError


@dataclass(frozen=True)
class DecodingProfile:
    name: str
    corpus: str  # the genre's corpus: its held-out train documents fit the profile
    description: str


PROFILES: dict[str, DecodingProfile] = {
    "news": DecodingProfile("news", "ptc2020", "news articles and opinion pieces (default)"),
    "memes": DecodingProfile("memes", "semeval2021", "short social-media texts such as meme captions"),
}
DEFAULT_PROFILE = "news"


def get_profile(name: str) -> DecodingProfile:
    if name not in PROFILES:
        raise UsageError(f"unknown decoding profile {name!r}: choose one of {', '.join(PROFILES)}")
    return PROFILES[name]
