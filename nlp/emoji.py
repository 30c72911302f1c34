"""Emoji as words, so the encoder can read them.

The default encoder's WordPiece vocabulary has no emoji: "👍" and "👎" both become [UNK], so
"Works great 👍" and "👎 overpriced" lost their strongest signal, and a bare "👍" read as no text.
`describe` replaces each emoji with a few plain words right before tokenisation (the encoder and the
trainer call it; sentence spans and stored text keep the emoji). The common ones come from the
glossary below, written by this team with the meaning people give them in feedback, literally where
a literal reading matters for safety (🔥 is "fire", not praise). Any other pictograph falls back to its
Unicode name ("🚜" -> "tractor").
"""

from __future__ import annotations

import re
import unicodedata

GLOSSARY: dict[str, str] = {
    # approval and disapproval
    "👍": "thumbs up",
    "👎": "thumbs down",
    "👌": "perfect",
    "👏": "applause",
    "🙌": "hooray",
    "🙏": "thank you",
    "💯": "one hundred percent",
    "✅": "check mark",
    "✔": "check mark",
    "☑": "check mark",
    "❌": "cross mark",
    "✖": "cross mark",
    "⭐": "star",
    "🌟": "star",
    "🏆": "trophy",
    "🎉": "celebration",
    "🥳": "celebration",
    # love
    "❤": "love",
    "♥": "love",
    "💕": "love",
    "💖": "love",
    "💗": "love",
    "💙": "love",
    "💚": "love",
    "💜": "love",
    "🧡": "love",
    "😍": "love it",
    "🥰": "love it",
    "😘": "kiss",
    "💔": "heartbroken",
    # happy faces
    "😀": "smiling",
    "😃": "smiling",
    "😄": "smiling",
    "😁": "smiling",
    "🙂": "smiling",
    "😊": "smiling",
    "☺": "smiling",
    "😎": "cool",
    "😉": "wink",
    "😂": "laughing",
    "🤣": "laughing",
    "😆": "laughing",
    "😅": "nervous laugh",
    "🤩": "amazed",
    "😋": "delicious",
    "😌": "relieved",
    # neutral and unsure faces
    "😐": "neutral face",
    "😑": "expressionless",
    "😶": "speechless",
    "🤔": "thinking",
    "🤷": "shrug",
    "🙄": "eye roll",
    "😬": "grimacing",
    "😏": "smirk",
    "🤨": "raised eyebrow",
    "😮": "surprised",
    "😯": "surprised",
    "😲": "astonished",
    "👀": "eyes",
    # unhappy faces
    "🙁": "frowning",
    "☹": "frowning",
    "😕": "confused",
    "😟": "worried",
    "😞": "disappointed",
    "😔": "disappointed",
    "😒": "unamused",
    "😩": "weary",
    "😫": "tired",
    "😢": "crying",
    "😭": "crying",
    "😡": "angry",
    "😠": "angry",
    "🤬": "furious swearing",
    "😤": "frustrated",
    "😣": "struggling",
    "😖": "distressed",
    "😱": "terrified",
    "😨": "scared",
    "😰": "anxious",
    "😓": "stressed",
    "😴": "sleepy",
    "🥱": "yawning",
    "🤢": "nauseated",
    "🤮": "vomiting",
    "💩": "crap",
    "🤡": "clown",
    "😷": "face mask",
    "🤒": "sick",
    "🤕": "injured",
    "💀": "skull",
    "🥵": "too hot",
    "🥶": "too cold",
    # the shop floor: literal, so a hazard stays a hazard
    "🔥": "fire",
    "💥": "collision",
    "⚡": "electricity",
    "⚠": "warning",
    "🚨": "alarm",
    "🚫": "prohibited",
    "⛔": "no entry",
    "🛑": "stop",
    "🚑": "ambulance",
    "🩹": "bandage",
    "🩸": "blood",
    "☠": "danger of death",
    "☢": "radiation",
    "☣": "biohazard",
    "💨": "fumes",
    "💧": "water leak",
    "🦺": "safety vest",
    "⛑": "safety helmet",
    "👷": "construction worker",
    "🚧": "construction barrier",
    "🧯": "fire extinguisher",
    "🪜": "ladder",
    "🏗": "crane",
    "🚜": "tractor",
    "🚚": "truck",
    "🐌": "slow",
    "🐢": "slow",
    "🚀": "fast",
    "⏰": "time",
    "⌛": "waiting",
    "⏳": "waiting",
    "💸": "money",
    "💰": "money",
}

# Pictograph blocks; anything here that is not in the glossary is read by its Unicode name. Other
# symbols (°, ©, ™, arrows) are left alone: they are not emoji, and "40°C" must stay as written.
_PICTOGRAPHS = re.compile("[\U0001f000-\U0001faff\u2600-\u27bf\u2b50\u2b55\u2b1b\u2b1c\u23e9-\u23fa\u231a\u231b]")
# Presentation selectors, joiners, skin tones and keycaps carry no meaning of their own.
_MODIFIERS = re.compile("[\ufe0e\ufe0f\u200d\u20e3\U0001f3fb-\U0001f3ff]")
_NAME_NOISE = re.compile(r"\b(sign|symbol|emoji|black|white|heavy)\b")


def has_emoji(text: str) -> bool:
    return bool(_PICTOGRAPHS.search(text))


def count_emoji(text: str) -> int:
    return len(_PICTOGRAPHS.findall(text))


def reads_emoji(tokenizer: object) -> bool:
    """True when the tokenizer has a token for "👍" (then the model sees emoji and needs no words)."""
    unk = getattr(tokenizer, "unk_token", None)
    try:
        tokens = tokenizer.tokenize("👍")  # type: ignore[attr-defined]
    except Exception:  # noqa: BLE001 - a tokenizer that cannot say is treated as not reading them
        return False
    return bool(tokens) and unk not in tokens


def describe(text: str) -> str:
    """`text` with every emoji replaced by " words " (text without emoji comes back unchanged)."""
    if text.isascii() or not _PICTOGRAPHS.search(text):
        return text
    text = _MODIFIERS.sub("", text)
    return _PICTOGRAPHS.sub(lambda m: f" {_words(m.group())} ", text)


def _words(ch: str) -> str:
    known = GLOSSARY.get(ch)
    if known is not None:
        return known
    name = unicodedata.name(ch, "").lower()
    return " ".join(_NAME_NOISE.sub(" ", name).split()) or "emoji"
