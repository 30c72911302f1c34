"""Urgency: imminent danger is flagged with a reason; past or resolved hazards are not."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from nlp.encoder import Encoder, ModelLoadError
from nlp.inference.urgency import (
    WEIGHTS,
    UrgencyDetector,
    UrgencyHead,
    default_head_path,
    heldout_report,
)
from nlp.inference.urgency_rules import REASONS, RulesError, UrgencyRules, shared_rules
from nlp.training.urgency import evaluate, read_corpus, split


class ConstantEncoder:
    def embed(self, texts: list[str]) -> np.ndarray:  # type: ignore[type-arg]
        return np.ones((len(texts), 8), dtype=np.float32) / np.sqrt(8)


def _trigger_head(dim: int = 8) -> UrgencyHead:
    weights = np.zeros(dim + 5, dtype=np.float32)
    weights[dim + 2] = 10.0  # trigger pattern
    weights[dim + 3] = -20.0  # resolved cue
    return UrgencyHead(weights=weights, bias=-5.0, threshold=0.5)


def test_rule_or_head_decides_and_the_reason_is_one_fixed_category() -> None:
    detector = UrgencyDetector(ConstantEncoder(), head=_trigger_head())
    urgent, resolved, calm = detector.detect(
        ["Strong smell of gas near boiler 2", "The gas leak last month was fixed, thanks", "Canteen food is fine"]
    )
    assert urgent.urgent and urgent.reason is not None
    assert urgent.reason == "gas leak"
    assert not resolved.urgent and resolved.reason is None
    assert not calm.urgent and 0.0 <= calm.score < 0.5


@pytest.mark.parametrize("text", ["", "   ", "😀🔥", "\x00\x01" * 10, "word " * 20_000, "Gaz 漏れ утечка"])
def test_bad_input_is_never_an_error(text: str) -> None:
    [result] = UrgencyDetector(ConstantEncoder(), head=_trigger_head()).detect([text])
    assert isinstance(result.urgent, bool)
    if not text.strip() or not any(c.isalnum() for c in text):
        assert result == result.__class__(urgent=False, score=0.0, reason=None)


def test_head_for_another_encoder_fails_fast() -> None:
    with pytest.raises(ModelLoadError, match="retrain"):
        UrgencyDetector(ConstantEncoder(), head=_trigger_head(dim=384)).load()


@pytest.fixture(scope="session")
def detector() -> UrgencyDetector:
    return UrgencyDetector(Encoder().load()).load()


@pytest.mark.slow
def test_examples_from_the_brief(detector: UrgencyDetector) -> None:
    gas, guard, fixed, drill = detector.detect(
        [
            "smell of gas near boiler 2",
            "guard removed from the saw",
            "The gas leak last month was fixed quickly, thanks.",
            "Fire drill went well, everyone out in under four minutes.",
        ]
    )
    assert gas.urgent and gas.reason == "gas leak"
    assert guard.urgent and guard.reason == "unguarded machine"
    assert not fixed.urgent
    assert not drill.urgent


@pytest.mark.slow
def test_held_out_recall_and_precision_meet_the_target(detector: UrgencyDetector) -> None:
    """The 40 % of urgency.csv the head never saw, in the languages there are rules for.

    Its Romanian, French and Portuguese rows are left out: no rules exist for them and the default
    encoder reads English only, so they are not flagged (the analyzer marks them "not analysed").
    """
    texts, labels = read_corpus()
    _, held = split(texts, labels)
    languages = [d.code for d in detector.language_detector.detect([texts[i] for i in held])]
    kept = [i for i, lang in zip(held, languages, strict=True) if lang in ("en", "de", "pl", "es")]
    metrics = evaluate(detector, [texts[i] for i in kept], labels[kept])
    assert metrics["recall"] >= 0.9
    assert metrics["precision"] >= 0.85


class _VersionedEncoder(ConstantEncoder):
    def __init__(self, version: str) -> None:
        self.version = version


def test_head_trained_on_another_encoder_version_fails_fast(tmp_path: Path) -> None:
    path = tmp_path / "head.npz"
    UrgencyHead(**{**vars(_trigger_head()), "encoder": "base123+lora1+aaaa"}).save(path)
    with pytest.raises(ModelLoadError, match="trained on encoder base123\\+lora1\\+aaaa.*retrain"):
        UrgencyDetector(_VersionedEncoder("base123+lora1+bbbb"), head_path=path).load()
    # int8 is the same weights quantised at load: the fp32 head applies
    assert UrgencyDetector(_VersionedEncoder("base123+lora1+aaaa-int8"), head_path=path).load()


@pytest.mark.slow
def test_the_shipped_head_is_for_the_plain_encoder_the_lora_model_shares() -> None:
    from nlp.training.urgency import shipped_encoders

    [plain] = shipped_encoders()
    assert default_head_path(plain) == WEIGHTS
    assert UrgencyHead.load(WEIGHTS).encoder == plain.version  # type: ignore[attr-defined]


def _alarmist_head(dim: int = 8) -> UrgencyHead:
    """A head that calls everything urgent: whatever is not flagged was decided by the rules alone."""
    return UrgencyHead(weights=np.zeros(dim + 5, dtype=np.float32), bias=10.0, threshold=0.5)


def test_languages_the_encoder_cannot_read_are_decided_by_their_rules() -> None:
    detector = UrgencyDetector(ConstantEncoder(), head=_alarmist_head())
    praise, calm, gas, exit_de, fall_es = detector.detect(
        [
            "Nowe przejścia dla pieszych są super, czuję się bezpieczniej.",
            "Wszystko w porządku, dziękuję",
            "Czuć gaz przy kotłowni, proszę sprawdzić.",
            "Notausgang mit Paletten zugestellt.",
            "Un operario en el tejado sin arnés ahora mismo.",
        ],
        ["pl", "pl", "pl", "de", "es"],
    )
    assert not praise.urgent and not calm.urgent
    assert (gas.urgent, gas.reason) == (True, "gas leak")
    assert (exit_de.urgent, exit_de.reason) == (True, "blocked fire exit")
    assert (fall_es.urgent, fall_es.reason) == (True, "fall from height")


def test_text_only_the_encoder_flags_gets_a_fixed_list_reason() -> None:
    [flagged] = UrgencyDetector(ConstantEncoder(), head=_alarmist_head()).detect(["Something odd here"], ["en"])
    assert flagged.urgent and flagged.reason in REASONS


@pytest.mark.parametrize(
    ("text", "language", "reason"),
    [
        ("Tripped over a cable last week and hurt my wrist.", "en", None),
        ("Conveyor nip point has no guard and it is running.", "en", "unguarded machine"),
        ("Safety glasses in the store room are all scratched.", "en", None),
        ("Kierowca wózka jechał za szybko między regałami, musiałem odskoczyć.", "pl", None),
        ("The fire drill went well.", "en", None),
        ("Smoke coming from the charger in bay 2.", "en", "fire or smoke"),
    ],
)
def test_rules_give_reasons_that_fit_the_text(text: str, language: str, reason: str | None) -> None:
    match = shared_rules().match(text, language)
    assert (match.category if match else None) == reason


def test_a_bad_rule_file_is_named_in_one_line(tmp_path: Path) -> None:
    (tmp_path / "en.yaml").write_text("language: en\ncategories:\n  gas leak: ['(unclosed']\n", encoding="utf-8")
    with pytest.raises(RulesError, match=r"en.yaml: gas leak: bad pattern"):
        UrgencyRules(tmp_path).load()
    (tmp_path / "en.yaml").write_text("language: en\ncategories:\n  alien invasion: ['x']\n", encoding="utf-8")
    with pytest.raises(RulesError, match="unknown category alien invasion"):
        UrgencyRules(tmp_path).load()


def test_every_rule_file_names_only_fixed_reasons_and_covers_them_all() -> None:
    rules = UrgencyRules().load()
    assert set(rules.languages) >= {"en", "de", "pl", "es"}
    for language in ("en", "de", "pl", "es"):
        lang_rules = rules.for_language(language)
        assert lang_rules is not None
        assert {name for name, _ in lang_rules.categories} == set(REASONS)


@pytest.mark.slow
def test_team_held_out_set_meets_the_targets_in_every_language(detector: UrgencyDetector) -> None:
    report = heldout_report(detector)
    assert report["en"]["recall"] >= 0.9 and report["en"]["precision"] >= 0.85 and report["en"]["reason_fits"] >= 0.85
    for language in ("de", "pl", "es"):
        assert report[language]["recall"] >= 0.8 and report[language]["precision"] >= 0.85, language
