"""Free-text pools for the demo data, written for Heedful's demo (not drawn from any corpus).

Each entry carries the facts the generator needs to keep numbers and text consistent: the topic it is
about, its tone (the scores of a response follow it) and its language (the response language follows it).
"""

from __future__ import annotations

from dataclasses import dataclass

TONES = ("positive", "neutral", "mixed", "negative")


@dataclass(frozen=True)
class Comment:
    """A customer's answer to "What is the main reason for your score?"."""

    text: str
    topic: str  # delivery | price | quality | staff | waiting | billing | app | general
    tone: str
    lang: str = "en"
    # Release-specific comments: "old_app" only before the app release, "new_app" only after it.
    era: str | None = None


@dataclass(frozen=True)
class Report:
    """A worker's answer to "Describe what you saw"."""

    text: str
    topic: str  # forklift | ppe | slips | guarding | chemicals | housekeeping | fatigue | reporting | ...
    kind: str  # hazard | near_miss | suggestion | praise
    tone: str
    lang: str = "en"
    urgent: bool = False
    hurt: bool = False
    # "walkways": only after the pedestrian walkways and speed limiters were finished at Leeds.
    era: str | None = None
