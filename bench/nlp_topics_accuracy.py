"""Zero-shot topic tagging accuracy on public sets; prints a table and writes JSON. Never asserts.

Reads ../shared/data (relative to the repo root) at run time only; nothing from it is stored.
The taxonomies used are team-written (bench/taxonomies/), not fitted to these sets. Everything goes
through `nlp.analyzer.Analyzer` with the default models, exactly as the scoring pipeline runs them
(redaction, one encoder pass per sentence shared by sentiment, topics and urgency).

* SemEval-2014 restaurants (test split by default): sentences with at least one of food, service,
  price, ambience. Top-1 is correct when the predicted ``top_topic`` is one of the sentence's gold
  categories; for per-class F1 a correct prediction counts as that class, a wrong one counts as a
  miss of the sentence's first gold category (the usual top-1 reading of multi-label gold).
  Aspect sentiment: every non-conflict (sentence, category) row for the four categories; the
  predicted polarity is the tag's aspect sentiment when the tagger tagged that category, else the
  whole-sentence sentiment (reported separately too).
* MSIA accident cases: one cause per case, all 11 classes, macro-F1 of ``top_topic``.
* CFPB complaints and IHM industrial accidents: one gold label per text, macro-F1 of ``top_topic``
  against a team-written taxonomy (see `cfpb` and `ihm`), with a majority-class baseline. Reported,
  not targeted.
* Urgency: recall and precision on the 40 % of the team-written nlp/data/urgency.csv that the
  urgency head never saw (its seeded split), worker audience.
* Beside every topic set: the bare-cosine baseline, plain all-MiniLM-L6-v2 cosine from each whole text
  to each topic's "name: description", top-1 (`bare_cosine_top1_macro_f1`). A tagger that falls below
  it (as one did when topics ran on the sentiment-tuned encoder) shows here.

Usage: python bench/nlp_topics_accuracy.py [--split test|train|all] [--limit N]
"""

from __future__ import annotations

import argparse
import csv
import sys
import time
from collections import Counter
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import numpy as np  # noqa: E402

from nlp.analyzer import Analyzer  # noqa: E402
from nlp.encoder import Encoder  # noqa: E402
from nlp.settings import NLPSettings  # noqa: E402
from nlp.taxonomy import load_taxonomy  # noqa: E402
from nlp.training import urgency  # noqa: E402
from nlp.types import SentimentResult, TextAnalysis, TopicResult  # noqa: E402

DATA = ROOT.parent / "shared" / "data"
ASPECTS = ["food", "service", "price", "ambience"]
MSIA_LABELS = {
    "Falls": "falls",
    "Struck By Moving Objects": "struck by moving objects",
    "Caught in/between Objects": "caught in/between objects",
    "Electrocution": "electrocution",
    "Drowning": "drowning",
    "Collapse of object": "collapse of object",
    "Fires and Explosion": "fires and explosion",
    "Suffocation": "suffocation",
    "Exposure to extreme temperatures": "extreme temperatures",
    "Exposure to Chemical Substances": "chemical substances",
    "Other": "other",
    "Others": "other",
}
# The four pre-2017 CFPB product names go to their 2017+ successors (the source's advice).
CFPB_LABELS = {
    "Credit reporting, credit repair services, or other personal consumer reports": "credit reporting",
    "Debt collection": "debt collection",
    "Mortgage": "mortgage",
    "Credit card or prepaid card": "credit card or prepaid card",
    "Credit card": "credit card or prepaid card",
    "Checking or savings account": "checking or savings account",
    "Bank account or service": "checking or savings account",
    "Student loan": "student loan",
    "Vehicle loan or lease": "vehicle loan or lease",
    "Money transfer, virtual currency, or money service": "money transfer or virtual currency",
    "Payday loan, title loan, or personal loan": "payday, title or personal loan",
    "Payday loan": "payday, title or personal loan",
    "Consumer Loan": "payday, title or personal loan",  # both rows are installment loans
}
# 33 IHM critical-risk values -> 17 topics; the grouping is explained in industrial_risks.yaml.
IHM_LABELS = {
    "Others": "other",
    "Not applicable": "other",
    "Poll": "other",
    "Plates": "other",
    "Confined space": "other",
    "Individual protection equipment": "other",
    "Pressed": "pressed",
    "Manual Tools": "manual tools",
    "Chemical substances": "chemical substances",
    "Venomous Animals": "venomous animals and insects",
    "Bees": "venomous animals and insects",
    "Cut": "cut",
    "Projection": "projection of particles",
    "Projection of fragments": "projection of particles",
    "Projection/Burning": "projection of particles",
    "Projection/Choco": "projection of particles",
    "Projection/Manual Tools": "projection of particles",
    "Fall": "falls from height",
    "Fall prevention": "falls from height",
    "Fall prevention (same level)": "slips and trips on the same level",
    "Vehicles and Mobile Equipment": "vehicles and mobile equipment",
    "Traffic": "vehicles and mobile equipment",
    "Pressurized Systems": "pressurized systems",
    "Pressurized Systems / Chemical Substances": "pressurized systems",
    "remains of choco": "remains of choco",
    "Suspended Loads": "suspended loads",
    "Liquid Metal": "molten metal and burns",
    "Burn": "molten metal and burns",
    "Blocking and isolation of energies": "energy isolation",
    "Power lock": "energy isolation",
    "Machine Protection": "machine guarding",
    "Electrical Shock": "electrical",
    "Electrical installation": "electrical",
}


def macro_f1(gold: list[str], pred: list[str], labels: list[str]) -> tuple[float, dict[str, float]]:
    per: dict[str, float] = {}
    for c in labels:
        tp = sum(1 for g, p in zip(gold, pred, strict=True) if g == c and p == c)
        fp = sum(1 for g, p in zip(gold, pred, strict=True) if g != c and p == c)
        fn = sum(1 for g, p in zip(gold, pred, strict=True) if g == c and p != c)
        prec = tp / (tp + fp) if tp + fp else 0.0
        rec = tp / (tp + fn) if tp + fn else 0.0
        per[c] = 2 * prec * rec / (prec + rec) if prec + rec else 0.0
    return sum(per.values()) / len(per), per


_BARE: list[Encoder] = []


def bare_cosine_top1(texts: list[str], taxonomy: Any) -> list[str]:
    """The baseline: plain MiniLM cosine from each whole text to each topic's "name: description"."""
    if not _BARE:
        _BARE.append(Encoder().load())
    topics = taxonomy.topics
    protos = _BARE[0].embed([f"{t.name}: {t.description}" for t in topics])
    sims = _BARE[0].embed(texts) @ protos.T
    return [topics[int(k)].name for k in sims.argmax(axis=1)]


def _topics(result: TextAnalysis) -> TopicResult:
    return result.topics if result.topics is not None else TopicResult(tags=[], top_topic="")


def semeval(analyzer: Analyzer, split: str, limit: int | None) -> dict[str, Any]:
    path = DATA / "semeval2014_absa_restaurants" / "data.csv"
    sentences: dict[tuple[str, str], dict[str, Any]] = {}
    with path.open(encoding="utf-8", newline="") as fh:
        for row in csv.DictReader(fh):
            if split != "all" and row["split"] != split:
                continue
            key = (row["split"], row["sentence_id"])
            item = sentences.setdefault(key, {"text": row["text"], "aspects": {}})
            item["aspects"][row["aspect_category"]] = row["label"]
    items = [s for s in sentences.values() if any(a in ASPECTS for a in s["aspects"])]
    if limit:
        items = items[:limit]
    texts = [s["text"] for s in items]
    taxonomy = load_taxonomy(ROOT / "bench" / "taxonomies" / "restaurant.yaml")
    t0 = time.perf_counter()
    analyses = analyzer.analyze(texts, taxonomy, audience="customer")
    elapsed = time.perf_counter() - t0
    results = [_topics(a) for a in analyses]
    sents: list[SentimentResult] = [a.sentiment for a in analyses]
    gold: list[str] = []
    pred: list[str] = []
    for item, res in zip(items, results, strict=True):
        golds = [a for a in ASPECTS if a in item["aspects"]]
        pred.append(res.top_topic)
        gold.append(res.top_topic if res.top_topic in golds else golds[0])
    f1, per = macro_f1(gold, pred, ASPECTS)
    bare_gold: list[str] = []
    bare_pred = bare_cosine_top1(texts, taxonomy)
    for item, guess in zip(items, bare_pred, strict=True):
        golds = [a for a in ASPECTS if a in item["aspects"]]
        bare_gold.append(guess if guess in golds else golds[0])
    bare_f1, _ = macro_f1(bare_gold, bare_pred, ASPECTS)
    # multi-label: tags above threshold vs gold set (micro P/R)
    tp = fp = fn = 0
    for item, res in zip(items, results, strict=True):
        golds = {a for a in ASPECTS if a in item["aspects"]}
        tagged = {t.topic for t in res.tags}
        tp += len(golds & tagged)
        fp += len(tagged - golds)
        fn += len(golds - tagged)
    out: dict[str, Any] = {
        "split": split,
        "sentences": len(items),
        "top1_macro_f1": round(f1, 4),
        "bare_cosine_top1_macro_f1": round(bare_f1, 4),
        "top1_per_class_f1": {k: round(v, 4) for k, v in per.items()},
        "top1_accuracy": round(sum(g == p for g, p in zip(gold, pred, strict=True)) / len(items), 4),
        "multilabel_micro_precision": round(tp / (tp + fp), 4) if tp + fp else 0.0,
        "multilabel_micro_recall": round(tp / (tp + fn), 4) if tp + fn else 0.0,
        "analysis_seconds": round(elapsed, 2),
        "analysis_texts_per_second": round(len(items) / elapsed, 1),
    }
    hit = total = tagged_hit = tagged_total = overall_hit = 0
    for item, res, sres in zip(items, results, sents, strict=True):
        tags = {t.topic: t for t in res.tags}
        for aspect, polarity in item["aspects"].items():
            if aspect not in ASPECTS or polarity == "conflict":
                continue
            total += 1
            overall_hit += sres.overall.label == polarity
            tag = tags.get(aspect)
            aspect_sent = tag.sentiment if tag is not None and tag.sentiment is not None else sres.overall
            label = aspect_sent.label
            hit += label == polarity
            if tag is not None:
                tagged_total += 1
                tagged_hit += label == polarity
    out["aspect_sentiment_rows"] = total
    out["aspect_sentiment_accuracy"] = round(hit / total, 4) if total else 0.0
    tagged_acc = round(tagged_hit / tagged_total, 4) if tagged_total else 0.0
    out["aspect_sentiment_accuracy_tagged_rows"] = tagged_acc
    out["aspect_sentiment_tagged_rows"] = tagged_total
    out["whole_sentence_sentiment_accuracy"] = round(overall_hit / total, 4) if total else 0.0
    return out


def _tag_set(
    analyzer: Analyzer, folder: str, taxonomy_file: str, labels: dict[str, str], audience: str, limit: int | None
) -> tuple[Any, list[str], list[TopicResult], float, list[str]]:
    """Tag every text of a single-label public set: (taxonomy, gold topics, results, seconds, bare cosine top-1)."""
    with (DATA / folder / "data.csv").open(encoding="utf-8", newline="") as fh:
        rows = list(csv.DictReader(fh))[:limit]
    taxonomy = load_taxonomy(ROOT / "bench" / "taxonomies" / taxonomy_file)
    gold = [labels[r["label"].strip()] for r in rows]
    t0 = time.perf_counter()
    results = [_topics(a) for a in analyzer.analyze([r["text"] for r in rows], taxonomy, audience=audience)]
    elapsed = time.perf_counter() - t0
    return taxonomy, gold, results, elapsed, bare_cosine_top1([r["text"] for r in rows], taxonomy)


def msia(analyzer: Analyzer, limit: int | None = None) -> dict[str, Any]:
    taxonomy, gold, results, elapsed, bare = _tag_set(
        analyzer, "msia_accident_cases", "accident_causes.yaml", MSIA_LABELS, "worker", limit
    )
    pred = [r.top_topic for r in results]
    labels = [t.name for t in taxonomy.topics]
    f1, per = macro_f1(gold, pred, labels)
    return {
        "cases": len(gold),
        "top1_macro_f1": round(f1, 4),
        "bare_cosine_top1_macro_f1": round(macro_f1(gold, bare, labels)[0], 4),
        "top1_accuracy": round(sum(g == p for g, p in zip(gold, pred, strict=True)) / len(gold), 4),
        "top1_per_class_f1": {k: round(v, 4) for k, v in per.items()},
        "gold_counts": dict(Counter(gold)),
        "tagging_seconds": round(elapsed, 2),
    }


def _single_label(gold: list[str], pred: list[str], labels: list[str]) -> dict[str, Any]:
    """Top-1 macro-F1, accuracy and per-class F1, beside always guessing the most common gold label."""
    f1, per = macro_f1(gold, pred, labels)
    majority = Counter(gold).most_common(1)[0][0]
    base_f1, _ = macro_f1(gold, [majority] * len(gold), labels)
    return {
        "top1_macro_f1": round(f1, 4),
        "top1_accuracy": round(sum(g == p for g, p in zip(gold, pred, strict=True)) / len(gold), 4),
        "top1_per_class_f1": {k: round(v, 4) for k, v in per.items()},
        "gold_counts": dict(Counter(gold).most_common()),
        "majority_baseline": {
            "label": majority,
            "macro_f1": round(base_f1, 4),
            "accuracy": round(gold.count(majority) / len(gold), 4),
        },
    }


def cfpb(analyzer: Analyzer, limit: int | None = None) -> dict[str, Any]:
    """CFPB complaint narratives against their product, 9 classes (pre-2017 names merged).

    The product is what the consumer picked on the intake form, so the gold is noisy, and half the
    rows are credit reporting. Multi-label view: how often the gold product is among the tags, and
    how many tags a complaint gets (long narratives touch several products).
    """
    taxonomy, gold, results, elapsed, bare = _tag_set(
        analyzer, "cfpb_complaints", "cfpb_products.yaml", CFPB_LABELS, "customer", limit
    )
    pred = [r.top_topic for r in results]
    tags = [{t.topic for t in r.tags} for r in results]
    n_tags = sum(len(t) for t in tags)
    hits = sum(g in t for g, t in zip(gold, tags, strict=True))
    return {
        "complaints": len(gold),
        **_single_label(gold, pred, taxonomy.topic_names),
        "bare_cosine_top1_macro_f1": round(macro_f1(gold, bare, taxonomy.topic_names)[0], 4),
        "multilabel_gold_recall": round(hits / len(gold), 4),
        "multilabel_micro_precision": round(hits / n_tags, 4) if n_tags else 0.0,
        "multilabel_tags_per_complaint": round(n_tags / len(gold), 2),
        "tagging_seconds": round(elapsed, 2),
    }


def ihm(analyzer: Analyzer, limit: int | None = None) -> dict[str, Any]:
    """IHM industrial accident descriptions against their critical risk, grouped into 17 classes.

    The 33 label values are grouped (IHM_LABELS; rationale in industrial_risks.yaml): compounds go
    to their first-named risk, near-synonyms merge, and five one-offs join "Others". "other" is 55 %
    of the rows and a catch-all, so the figures are also given without those rows: macro-F1 over the
    16 named risks on the rows whose gold is a named risk (predicting "other" there is a miss).
    """
    taxonomy, gold, results, elapsed, bare = _tag_set(
        analyzer, "industrial_safety_ihm", "industrial_risks.yaml", IHM_LABELS, "worker", limit
    )
    pred = [r.top_topic for r in results]
    named = [i for i, g in enumerate(gold) if g != "other"]
    named_labels = [t for t in taxonomy.topic_names if t != "other"]
    return {
        "cases": len(gold),
        **_single_label(gold, pred, taxonomy.topic_names),
        "bare_cosine_top1_macro_f1": round(macro_f1(gold, bare, taxonomy.topic_names)[0], 4),
        "excluding_other": {
            "cases": len(named),
            **_single_label([gold[i] for i in named], [pred[i] for i in named], named_labels),
        },
        "tagging_seconds": round(elapsed, 2),
    }


def urgency_heldout(analyzer: Analyzer) -> dict[str, Any]:
    texts, labels = urgency.read_corpus()
    _train, held = urgency.split(texts, labels)
    results = analyzer.analyze([texts[i] for i in held], audience="worker")
    predicted = np.array([r.urgency.urgent for r in results])
    truth = labels[held] == 1.0
    tp = int((predicted & truth).sum())
    return {
        "rows": len(held),
        "urgent_rows": int(truth.sum()),
        "recall": round(tp / max(int(truth.sum()), 1), 4),
        "precision": round(tp / max(int(predicted.sum()), 1), 4),
    }


def _baseline(result: dict[str, Any]) -> str:
    base = result["majority_baseline"]
    return f"{base['macro_f1']} / {base['accuracy']}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--split", choices=["test", "train", "all"], default="test")
    parser.add_argument("--limit", type=int, default=None, help="Only the first N rows of each set.")
    parser.add_argument("--out", type=Path, default=ROOT / "bench" / "results" / "nlp_topics_accuracy.json")
    args = parser.parse_args()
    analyzer = Analyzer(NLPSettings()).load()
    report: dict[str, Any] = {
        "models": f"{analyzer.name} {analyzer.version}",
        "semeval2014_restaurants": semeval(analyzer, args.split, args.limit),
        "msia_accident_causes": msia(analyzer, args.limit),
        "cfpb_products": cfpb(analyzer, args.limit),
        "ihm_critical_risks": ihm(analyzer, args.limit),
        "urgency_heldout": urgency_heldout(analyzer),
    }
    from bench.machine import save_results

    save_results(args.out, report)
    se, ms = report["semeval2014_restaurants"], report["msia_accident_causes"]
    cf, ih = report["cfpb_products"], report["ihm_critical_risks"]
    rows = [
        ("SemEval-14 restaurants top-1 macro-F1", se["top1_macro_f1"], ">= 0.70"),
        ("SemEval-14 aspect sentiment accuracy", se["aspect_sentiment_accuracy"], ">= 0.80"),
        (
            "SemEval-14 multi-label micro P / R",
            f"{se['multilabel_micro_precision']} / {se['multilabel_micro_recall']}",
            "-",
        ),
        ("MSIA accident causes top-1 macro-F1", ms["top1_macro_f1"], ">= 0.60"),
        ("MSIA accident causes top-1 accuracy", ms["top1_accuracy"], "-"),
        ("CFPB products top-1 macro-F1 / acc", f"{cf['top1_macro_f1']} / {cf['top1_accuracy']}", "-"),
        ("CFPB majority baseline macro-F1 / acc", _baseline(cf), "-"),
        ("IHM critical risks top-1 macro-F1 / acc", f"{ih['top1_macro_f1']} / {ih['top1_accuracy']}", "-"),
        ("IHM majority baseline macro-F1 / acc", _baseline(ih), "-"),
        (
            "IHM without Others macro-F1 / acc",
            f"{ih['excluding_other']['top1_macro_f1']} / {ih['excluding_other']['top1_accuracy']}",
            "-",
        ),
        ("Urgency held-out recall", report["urgency_heldout"]["recall"], ">= 0.90"),
        ("Urgency held-out precision", report["urgency_heldout"]["precision"], ">= 0.70"),
    ]
    print("top-1 macro-F1, tagger vs bare MiniLM cosine:")
    for name, part in (("SemEval-14", se), ("MSIA", ms), ("CFPB", cf), ("IHM", ih)):
        print(f"  {name:<12} {part['top1_macro_f1']:.4f} vs {part['bare_cosine_top1_macro_f1']:.4f}")
    print(f"{'metric':<42} {'value':>16}  target")
    for name, value, target in rows:
        print(f"{name:<42} {value!s:>16}  {target}")
    out = args.out.resolve()
    shown = out.relative_to(ROOT) if out.is_relative_to(ROOT) else out
    print(f"models: {report['models']}; wrote {shown}")


if __name__ == "__main__":
    main()
