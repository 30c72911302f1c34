"""Split answers into sentences (with character spans) so long text is never silently truncated.

A regex splitter is enough for survey answers: they are short, informal and often unpunctuated, and
a statistical splitter would add a large dependency for little gain. Contrast words such as "but"
start a new clause so that "the food was great but the staff was rude" yields two scored parts.
"""

from __future__ import annotations

import re

# End of sentence: . ! ? … (possibly repeated) or a line break, followed by whitespace.
_SENT_END = re.compile(r"(?<=[.!?…])[\"')\]]*\s+|\n+|(?<=\S)\s*[;•]\s+")
# Clause break before a contrast conjunction, so each side gets its own sentiment.
_CONTRAST = re.compile(r"[,\s]+(?=(?:but|however|although|though|yet|aber|mais|pero|ale)\b)", re.IGNORECASE)
_MAX_CHARS = 600  # long run-on "sentences" are cut into chunks that fit the encoder window


def split_sentences(text: str, split_contrast: bool = True) -> list[tuple[str, int, int]]:
    """Return (sentence, start, end) triples covering the non-blank parts of `text`."""
    spans: list[tuple[int, int]] = []
    pos = 0
    for m in _SENT_END.finditer(text):
        spans.append((pos, m.start()))
        pos = m.end()
    spans.append((pos, len(text)))
    if split_contrast:
        spans = [part for s, e in spans for part in _split_on(_CONTRAST, text, s, e)]
    out: list[tuple[str, int, int]] = []
    for s, e in spans:
        for cs, ce in _chunk(text, s, e):
            seg = text[cs:ce]
            stripped = seg.strip()
            if not stripped:
                continue
            lead = len(seg) - len(seg.lstrip())
            out.append((stripped, cs + lead, cs + lead + len(stripped)))
    return out


def _split_on(pattern: re.Pattern[str], text: str, start: int, end: int) -> list[tuple[int, int]]:
    parts: list[tuple[int, int]] = []
    pos = start
    for m in pattern.finditer(text, start, end):
        if m.start() > pos:
            parts.append((pos, m.start()))
        pos = m.end()
    parts.append((pos, end))
    return parts


def _chunk(text: str, start: int, end: int) -> list[tuple[int, int]]:
    """Cut a span longer than _MAX_CHARS at whitespace into roughly equal chunks."""
    if end - start <= _MAX_CHARS:
        return [(start, end)]
    chunks: list[tuple[int, int]] = []
    pos = start
    while end - pos > _MAX_CHARS:
        cut = text.rfind(" ", pos, pos + _MAX_CHARS)
        if cut <= pos:
            cut = pos + _MAX_CHARS
        chunks.append((pos, cut))
        pos = cut
    chunks.append((pos, end))
    return chunks
