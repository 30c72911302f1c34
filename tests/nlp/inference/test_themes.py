"""Emerging themes: clusters named by c-TF-IDF, tiny clusters dropped, deterministic per seed."""

from __future__ import annotations

import hashlib
import re

import numpy as np
import numpy.typing as npt

from nlp.inference.themes import class_tfidf, discover_themes


class HashingEncoder:
    def embed(self, texts: list[str]) -> npt.NDArray[np.float32]:
        out = np.zeros((len(texts), 128), dtype=np.float32)
        for i, text in enumerate(texts):
            for word in re.findall(r"\w+", text.lower()):
                out[i, int(hashlib.md5(word.encode()).hexdigest(), 16) % 128] += 1.0
            out[i] /= max(float(np.linalg.norm(out[i])), 1e-9)
        return out


PARKING = [f"parking spaces full again {w}" for w in ("monday", "tuesday", "friday", "sadly", "today", "now")]
COFFEE = [f"coffee machine broken again {w}" for w in ("monday", "tuesday", "friday", "sadly", "today", "now")]


def test_two_themes_named_by_their_words_and_noise_dropped() -> None:
    texts = PARKING + COFFEE + ["", "😀", "zebra"]
    themes = discover_themes(texts, HashingEncoder(), seed=0, min_size=5)
    assert len(themes) == 2
    by_word = {t.keywords[0]: t for t in themes}
    assert set(by_word) <= {"parking", "spaces", "full", "coffee", "machine", "broken"}
    members = sorted(i for t in themes for i in t.member_indexes)
    assert set(members) >= set(range(12)) - {12}
    assert all(t.size == len(t.member_indexes) >= 5 for t in themes)
    assert "again" not in {w for t in themes for w in t.keywords[:3]}  # shared words rank low


def test_deterministic_for_a_seed() -> None:
    texts = PARKING + COFFEE
    assert discover_themes(texts, HashingEncoder(), seed=3) == discover_themes(texts, HashingEncoder(), seed=3)


def test_too_few_answers_give_no_themes() -> None:
    assert discover_themes([], HashingEncoder()) == []
    assert discover_themes(["", "  ", "🙂"] * 10, HashingEncoder()) == []
    assert discover_themes(PARKING[:4], HashingEncoder(), min_size=5) == []


def test_class_tfidf_removes_stop_words_and_prefers_distinctive_words() -> None:
    words = class_tfidf([["the parking is full", "the parking is bad"], ["the coffee is cold"]])
    assert words[0][0] == "parking"
    assert words[1][0] in {"coffee", "cold"}
    assert "the" not in words[0] and "is" not in words[1]
