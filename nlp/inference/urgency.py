"""Urgency: does a worker report describe a danger that someone must act on within hours?

Approach
--------
1. Danger categories (gas leak, live electrics, unguarded machine, ...) are written below as a few
   prototype sentences and trigger patterns each; cue patterns mark reports that are past,
   resolved, drills, tests or requests ("was fixed", "fire drill went well", "could we get").
2. Features per report: its sentence embedding, the best cosine to any danger prototype, the best
   cosine to a "safe" prototype (resolved, drill, training, praise), whether a trigger pattern
   matched, and whether a resolved/past cue or a request cue matched.
3. A logistic head on those features, trained on a fixed, seeded, stratified 60 % of the
   team-written set ``nlp/data/urgency.csv``; the decision threshold is chosen by 5-fold
   stratified cross-validation *inside that 60 %* for recall >= 0.95. The other 40 % is never seen by the fit
   and is where recall and precision are reported (``python -m nlp.training.urgency_cli evaluate``).
   ``python -m nlp.training.urgency_cli train`` rebuilds the heads (training: `nlp.training.urgency`).

Long reports are scored on the whole text and on each sentence (max), so one urgent line in a
long comment is not diluted.

Languages and rules
-------------------
Every report's language is detected (nlp.inference.language). The team-written rules of that
language (nlp.inference.urgency_rules: en, de, pl, es) name the danger a sentence describes. Where the
encoder reads the language (`Encoder.languages`), a report is urgent when a rule matches or the head
is near-certain on its own (probability >= `ENCODER_ALONE`). That bar is high on purpose: at 0.8
the head added recall on the dev split of urgency.csv (English 0.906 -> 0.962) but two of its three
extra flags there, and all five of its flags on the 123 demo reports, came with a reason that did not
fit the text ("a pedestrian walked into the forklift route" -> toxic gas), which is the noise safety
officers reported. Where the encoder cannot read the language, the rules alone decide: the English
head on Polish text flagged praise as gas leaks.

The reason is always one category of the fixed list `urgency_rules.REASONS`: the rule's category,
or for a report only the head flagged, the category of the nearest danger prototype.

The head is tied to the encoder it was trained with: it records its encoder's version and refuses
another at load. The default sentiment model keeps the encoder plain (its adapters are a branch), so
one shipped head serves it; ``heedful nlp train`` with another HEEDFUL_ENCODER_MODEL writes that
encoder's head into the trained model folder, and ``python -m nlp.training.urgency_cli train`` rebuilds
the shipped one.
"""

from __future__ import annotations

import csv
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

import numpy as np
import numpy.typing as npt

from nlp.encoder import ModelLoadError
from nlp.inference.language import LanguageDetector, shared_detector
from nlp.inference.urgency_rules import REASONS, UrgencyRules, shared_rules
from nlp.loading import LoadOnce
from nlp.sentences import split_sentences
from nlp.types import Urgency

FloatArray = npt.NDArray[np.float32]

WEIGHTS_DIR = Path(__file__).resolve().parent.parent / "urgency_weights"
WEIGHTS = WEIGHTS_DIR / "urgency_head.npz"
# A trained sentiment model folder for another encoder carries that encoder's head under this name.
HEAD_FILE = "urgency_head.npz"
# Team-written, in en/de/pl/es with one reason each; never trained or tuned on (see heldout_report).
HELDOUT = Path(__file__).resolve().parent.parent / "data" / "urgency_heldout.csv"
ENCODER_ALONE = 0.95  # head probability that flags a report no rule matched (see the module docstring)


class TextEncoder(Protocol):
    def embed(self, texts: list[str]) -> FloatArray: ...


@dataclass(frozen=True)
class DangerCategory:
    name: str
    prototypes: tuple[str, ...]
    triggers: str  # regex, case-insensitive


CATEGORIES: tuple[DangerCategory, ...] = (
    DangerCategory(
        "gas leak",
        ("There is a strong smell of gas here right now.", "Gas is escaping from a damaged pipe."),
        r"smell(?:s|ing)? (?:of )?gas|gas (?:leak|smell|escaping|alarm)|leaking gas|rotten eggs?|hissing",
    ),
    DangerCategory(
        "toxic gas or confined space",
        ("The H2S alarm is going off in the pit.", "Someone went into the tank without gas testing."),
        r"\bh2s\b|ammonia|chlorine|confined space|oxygen (?:level|alarm)|carbon monoxide|\bco alarm",
    ),
    DangerCategory(
        "live electrics",
        ("Bare live wires are exposed and sparking.", "Water is dripping onto the electrical panel."),
        r"live wire|exposed wir|bare wire|spark(?:s|ing)|electric(?:al)? shock|overhead (?:power )?lines?",
    ),
    DangerCategory(
        "unguarded machine",
        ("The guard has been removed from the saw and it is running.", "The emergency stop does not work."),
        r"guard (?:has been |was )?(?:removed|missing|off)|interlock|bypass|e-?stop|emergency stop",
    ),
    DangerCategory(
        "blocked fire exit",
        ("The fire exit is locked and chained shut with people inside.", "Fire doors are blocked."),
        r"fire (?:exit|door)s? (?:is |are )?(?:blocked|locked|chained|padlocked)|(?:blocked|locked) fire",
    ),
    DangerCategory(
        "fire or smoke",
        ("There is smoke coming from the battery charging area.", "A fire has started in the bin store."),
        r"\bfire\b|smoke|smoulder|smolder|flames?|burning|overheating",
    ),
    DangerCategory(
        "structural collapse",
        ("The racking is buckled and about to collapse.", "The trench wall is slipping."),
        r"collaps|buckl|sagging|crack(?:ed|ing)? (?:in the )?(?:wall|ceiling|beam)|cave in|loose rock",
    ),
    DangerCategory(
        "chemical spill",
        ("A chemical spill is spreading towards the drain.", "Acid is leaking from the drum."),
        r"spill|acid|chemical|solvent|leaking drum|fumes",
    ),
    DangerCategory(
        "fall from height",
        ("Someone is working on the roof edge with no harness.", "There is an open hole in the floor."),
        r"no harness|without (?:a )?harness|unclipped|edge protection|open hole|roof edge|guardrail",
    ),
    DangerCategory(
        "vehicle or lifting failure",
        ("The forklift brakes are failing and it is still in use.", "The crane hoist is slipping."),
        r"brakes?|steering|crane|hoist|sling|lifting gear",
    ),
    DangerCategory(
        "person in danger",
        ("A man has collapsed and is not breathing.", "Someone is trapped under the load."),
        r"trapped|pinned|collapsed|unconscious|not breathing|bleeding|ambulance",
    ),
    DangerCategory(
        "violence or self-harm",
        ("He threatened to stab his supervisor.", "I don't want to go on living."),
        r"knife|weapon|stab|kill|threaten|hurt (?:my|him|her)self|suicid|end it|want to die|go on",
    ),
)

# The fixed-list reason of each prototype above (violence and self-harm are different calls to make).
_PROTOTYPE_REASONS: tuple[str, ...] = tuple(
    ("threat of violence", "risk of self-harm")[k] if c.name == "violence or self-harm" else c.name
    for c in CATEGORIES
    for k in range(len(c.prototypes))
)
assert set(_PROTOTYPE_REASONS) <= set(REASONS)

SAFE_PROTOTYPES = (
    "The leak from last month has been fixed, thanks.",
    "The fire drill went well and everyone was out quickly.",
    "We need more training on this.",
    "Could we get new equipment next quarter?",
    "The inspection passed and everything is fine.",
    "Good to see everyone wearing their harness today.",
    "Nothing to report.",
)

_RESOLVED = re.compile(
    r"\b(?:fixed|sorted|resolved|repaired|replaced|made safe|isolated|cleared|cleaned up|was a false alarm"
    r"|false alarm|last (?:week|month|year|friday|monday)|yesterday's|drill|passed|test(?:ed)? ok|went well"
    r"|no longer|all fine|thanks|thank you|good job|well done|good to see)\b",
    re.IGNORECASE,
)
_REQUEST = re.compile(
    r"\b(?:could we|can we|would like|would be (?:good|helpful|nice)|suggest|in future|training|course"
    r"|please consider|it would help|reminder)\b",
    re.IGNORECASE,
)
_TRIGGERS = [re.compile(c.triggers, re.IGNORECASE) for c in CATEGORIES]
_CUE_FEATURES = 5  # danger sim, safe sim, trigger, resolved, request


@dataclass(frozen=True)
class UrgencyHead:
    """Logistic weights over [embedding, cue features] and the decision threshold."""

    weights: FloatArray
    bias: float
    threshold: float
    encoder: str = ""  # version of the encoder it was trained on; "" (tests, hand-made heads) is not checked

    def save(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        np.savez(
            path,
            weights=self.weights,
            bias=np.float32(self.bias),
            threshold=np.float32(self.threshold),
            encoder=np.array(self.encoder),
        )

    @classmethod
    def load(cls, path: Path = WEIGHTS) -> UrgencyHead:
        try:
            with np.load(path) as data:
                return cls(
                    weights=data["weights"].astype(np.float32),
                    bias=float(data["bias"]),
                    threshold=float(data["threshold"]),
                    encoder=str(data["encoder"]) if "encoder" in data.files else "",
                )
        except (OSError, KeyError, ValueError) as exc:
            raise ModelLoadError(f"cannot load urgency head from {path}: {exc}") from exc


@dataclass(frozen=True)
class _Prototypes:
    danger: FloatArray  # (danger prototypes, dim)
    owner: npt.NDArray[np.int64]  # category index of each danger prototype
    safe: FloatArray  # (safe prototypes, dim)


class UrgencyDetector:
    """Flags reports describing imminent danger, with a reason string; the head loads lazily once."""

    def __init__(
        self,
        encoder: TextEncoder,
        head: UrgencyHead | None = None,
        head_path: Path | None = None,
        *,
        rules: UrgencyRules | None = None,
        languages: LanguageDetector | None = None,
    ) -> None:
        self.encoder = encoder
        self.rules = rules or shared_rules()
        self.language_detector = languages or shared_detector()
        # What the encoder reads; an encoder that does not say (a test stub) is taken to read English.
        self.reads: frozenset[str] = frozenset(getattr(encoder, "languages", None) or {"en"})
        self.head_path = head_path or default_head_path(encoder)
        self._head = LoadOnce.loaded(head) if head is not None else LoadOnce(self._load_head)
        self._prototypes = LoadOnce(self._embed_prototypes)

    def load(self) -> UrgencyDetector:
        """Load the head and embed the prototypes now (fail fast at start-up)."""
        head, protos = self._head.get(), self._prototypes.get()
        self.rules.load()
        self.language_detector.load()
        expected = protos.danger.shape[1] + _CUE_FEATURES
        if head.weights.shape[0] != expected:
            raise ModelLoadError(
                f"urgency head expects {head.weights.shape[0] - _CUE_FEATURES}-dim embeddings, "
                f"encoder gives {protos.danger.shape[1]}: retrain with python -m nlp.training.urgency_cli train"
            )
        return self

    def _load_head(self) -> UrgencyHead:
        head = UrgencyHead.load(self.head_path)
        trained_on, running = _baseencoder_version(head.encoder), _baseencoder_version(encoder_version(self.encoder))
        if trained_on and trained_on != running:
            raise ModelLoadError(
                f"urgency head {self.head_path.name} was trained on encoder {trained_on}, "
                f"this one is {running}: retrain with python -m nlp.training.urgency_cli train"
            )
        return head

    def prepare(self) -> None:
        """Embed the danger and safe prototypes once (what the head's cue features compare to)."""
        self._prototypes.get()

    def _embed_prototypes(self) -> _Prototypes:
        texts = [p for c in CATEGORIES for p in c.prototypes]
        owner = [i for i, c in enumerate(CATEGORIES) for _ in c.prototypes]
        emb = np.asarray(self.encoder.embed(texts + list(SAFE_PROTOTYPES)), dtype=np.float32)
        return _Prototypes(danger=emb[: len(texts)], owner=np.asarray(owner, dtype=np.int64), safe=emb[len(texts) :])

    def detect(self, texts: list[str], languages: list[str] | None = None) -> list[Urgency]:
        """Score each text; blank or unreadable text is never urgent.

        `languages` are the texts' ISO 639-1 codes when the caller has detected them already;
        otherwise they are detected here.
        """
        self.load()
        head = self._head.get()
        if languages is None:
            languages = [d.code for d in self.language_detector.detect(texts)]
        if len(languages) != len(texts):
            raise ValueError(f"{len(languages)} languages for {len(texts)} texts")
        units = [_units(t) for t in texts]
        readable = [bool(per) and lang in self.reads for per, lang in zip(units, languages, strict=True)]
        flat = list(dict.fromkeys(u for per, ok in zip(units, readable, strict=True) if ok for u in per))
        emb = np.asarray(self.encoder.embed(flat), dtype=np.float32) if flat else np.zeros((0, 1), np.float32)
        row = {u: i for i, u in enumerate(flat)}
        out: list[Urgency] = []
        for text, per, lang, ok in zip(texts, units, languages, readable, strict=True):
            if not per:
                out.append(Urgency(urgent=False, score=0.0, reason=None))
                continue
            rule = self.rules.match(text, lang)
            if not ok:
                # The encoder cannot read this language: the rules alone decide.
                out.append(Urgency(urgent=rule is not None, score=1.0 if rule else 0.0,
                                   reason=rule.category if rule else None))
                continue
            idx = [row[u] for u in per]
            feats = self.features(emb[idx], per, resolved_context=text)
            probs = _sigmoid(feats @ head.weights + head.bias)
            best = int(probs.argmax())
            score = float(probs[best])
            if rule is not None:
                out.append(Urgency(urgent=True, score=round(max(score, 0.5), 4), reason=rule.category))
            elif score >= ENCODER_ALONE:
                out.append(Urgency(urgent=True, score=round(score, 4), reason=self._reason(emb[idx[best]])))
            else:
                out.append(Urgency(urgent=False, score=round(min(score, 0.4999), 4), reason=None))
        return out

    def features(self, emb: FloatArray, units: list[str], resolved_context: str | None = None) -> FloatArray:
        """[embedding, best danger cosine, best safe cosine, trigger, resolved cue, request cue]."""
        protos = self._prototypes.get()
        danger = (emb @ protos.danger.T).max(axis=1)
        safe = (emb @ protos.safe.T).max(axis=1)
        context_resolved = bool(resolved_context and _RESOLVED.search(resolved_context))
        cues = np.asarray(
            [
                [
                    float(any(p.search(u) for p in _TRIGGERS)),
                    float(context_resolved or bool(_RESOLVED.search(u))),
                    float(bool(_REQUEST.search(u))),
                ]
                for u in units
            ],
            dtype=np.float32,
        )
        out: FloatArray = np.hstack([emb, danger[:, None], safe[:, None], cues]).astype(np.float32)
        return out

    def _reason(self, emb: FloatArray) -> str:
        """The fixed-list reason of the danger prototype nearest to the flagged sentence."""
        return _PROTOTYPE_REASONS[int((self._prototypes.get().danger @ emb).argmax())]


def heldout_report(detector: UrgencyDetector, path: Path = HELDOUT) -> dict[str, dict[str, float]]:
    """Recall, precision and "reason fits" per language on the held-out set, languages detected as in use.

    A flagged report's reason fits when it is the row's gold reason; a false alarm never fits.
    """
    with path.open(encoding="utf-8", newline="") as fh:
        rows = list(csv.DictReader(fh))
    found = detector.detect([r["text"] for r in rows])
    counts: dict[str, dict[str, float]] = {}
    for row, result in zip(rows, found, strict=True):
        c = counts.setdefault(row["language"], {"rows": 0, "urgent": 0, "flagged": 0, "hits": 0, "fits": 0})
        gold = row["urgent"] == "1"
        c["rows"] += 1
        c["urgent"] += gold
        c["flagged"] += result.urgent
        c["hits"] += gold and result.urgent
        c["fits"] += gold and result.urgent and result.reason == row["reason"]
    return {
        language: {
            "rows": c["rows"],
            "urgent": c["urgent"],
            "recall": round(c["hits"] / max(c["urgent"], 1), 4),
            "precision": round(c["hits"] / max(c["flagged"], 1), 4),
            "reason_fits": round(c["fits"] / max(c["flagged"], 1), 4),
        }
        for language, c in sorted(counts.items())
    }


def default_head_path(encoder: object) -> Path:
    """The shipped head. The LoRA sentiment model leaves the encoder plain (its adapters are a branch),
    so one head serves it; another encoder's head lives in its trained model folder (`HEAD_FILE`)."""
    return WEIGHTS


def encoder_version(encoder: object) -> str:
    """The version a head records and checks: the encoder's own, or "" for stubs without one."""
    return str(getattr(encoder, "version", ""))


def _baseencoder_version(version: str) -> str:
    # int8 is the same weights, quantised at load: the head trained on fp32 applies.
    return version.removesuffix("-int8")


def _units(text: str) -> list[str]:
    """Whole text, plus its sentences when there are several (so one urgent line is not diluted)."""
    if not text.strip() or not any(ch.isalnum() for ch in text):
        return []
    sentences = [s for s, _, _ in split_sentences(text)][:64]
    return [text, *sentences] if len(sentences) > 1 else [text]


def _sigmoid(z: npt.NDArray[np.floating]) -> FloatArray:
    out: FloatArray = (1.0 / (1.0 + np.exp(-np.clip(z, -30.0, 30.0)))).astype(np.float32)
    return out
