"""`heedful nlp …`: train the sentiment head, predict a CSV, evaluate against gold labels.

The lead's top-level `heedful` CLI adds `nlp_cli` as a group. Models load once per command; settings
come from HEEDFUL_* environment variables (see nlp/settings.py). Bad input is one error line and a
non-zero exit, never a traceback.
"""

from __future__ import annotations

import csv
import io
import json
import os
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, TypeVar

import click

from nlp.encoder import ModelLoadError
from nlp.settings import NLPSettings

nlp_cli = click.Group("nlp", help="Sentiment and topic models: train, predict, evaluate.")

_F = TypeVar("_F", bound=Callable[..., Any])
TASKS = click.Choice(["sentiment", "topics"])
PREDICT_TASKS = click.Choice(["sentiment", "topics", "urgency"])
BINARY = ("negative", "positive")


def _settings() -> NLPSettings:
    try:
        return NLPSettings.from_env(os.environ)
    except ValueError as exc:
        raise click.ClickException(str(exc)) from None


def read_rows(path: Path, required: tuple[str, ...]) -> list[dict[str, str]]:
    """Read a UTF-8 CSV with a header; every column in `required` must be present."""
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise click.ClickException(f"cannot read {path}: {exc.strerror or exc}") from None
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise click.ClickException(f"{path} is not UTF-8 (byte {exc.start}); re-save it as UTF-8 CSV") from None
    try:
        reader = csv.DictReader(io.StringIO(text, newline=""))
        fields = [f.strip() for f in reader.fieldnames or []]
        missing = [c for c in required if c not in fields]
        if missing:
            found = ", ".join(fields) or "no header"
            raise click.ClickException(f"{path} has no {', '.join(missing)} column (found: {found})")
        rows = [{(k or "").strip(): (v if isinstance(v, str) else "") for k, v in row.items()} for row in reader]
    except csv.Error as exc:
        raise click.ClickException(f"{path} is not a valid CSV: {exc}") from None
    return rows


def write_rows(path: Path, header: list[str], rows: list[list[str]]) -> None:
    try:
        with path.open("w", encoding="utf-8", newline="") as fh:
            writer = csv.writer(fh)
            writer.writerow(header)
            writer.writerows(rows)
    except OSError as exc:
        raise click.ClickException(f"cannot write {path}: {exc.strerror or exc}") from None


def _load_sentiment(settings: NLPSettings) -> Any:
    from nlp.inference.sentiment import load_sentiment_model

    try:
        return load_sentiment_model(settings)
    except ModelLoadError as exc:
        raise click.ClickException(str(exc)) from None


def _load_topics(settings: NLPSettings, taxonomy_path: Path | None) -> tuple[Any, Any]:
    if taxonomy_path is None:
        raise click.UsageError("--task topics needs --taxonomy T.yaml")
    from nlp.analyzer import load_models
    from nlp.inference.topic_calibration import calibration_for
    from nlp.inference.topics import TopicTagger
    from nlp.taxonomy import load_taxonomy

    try:
        taxonomy = load_taxonomy(taxonomy_path)
    except (OSError, ValueError) as exc:
        raise click.ClickException(f"{taxonomy_path}: {exc}") from None
    try:
        # The encoder the scoring pipeline tags with, so the CLI and the pipeline agree on every answer.
        encoder, _sentiment = load_models(settings)
    except ModelLoadError as exc:
        raise click.ClickException(str(exc)) from None
    return TopicTagger(encoder, threshold=settings.topic_threshold, calibration=calibration_for(encoder)), taxonomy


def _load_urgency(settings: NLPSettings) -> Any:
    from nlp.analyzer import load_models
    from nlp.inference.urgency import UrgencyDetector

    try:
        # The encoder the scoring pipeline flags urgency with, so the CLI and the pipeline agree.
        encoder, _sentiment = load_models(settings)
        return UrgencyDetector(encoder).load()
    except ModelLoadError as exc:
        raise click.ClickException(str(exc)) from None


def _data_option(f: _F) -> _F:
    return click.option(
        "--data", "data", required=True, type=click.Path(path_type=Path, dir_okay=False), help="Input CSV."
    )(f)


@nlp_cli.command("train")
@click.option("--data-dir", type=click.Path(path_type=Path, file_okay=False), default=None, help="Corpus folder.")
@click.option(
    "--out", "out_dir", type=click.Path(path_type=Path, file_okay=False), default=None, help="Weights folder."
)
@click.option("--seed", type=int, default=None, help="Seed for split and initialisation (default: shipped).")
@click.option(
    "--method",
    type=click.Choice(["lora", "head"]),
    default="lora",
    show_default=True,
    help="lora: fine-tune encoder adapters (the default model); head: logistic regression on frozen embeddings.",
)
@click.option(
    "--public-data",
    type=click.Path(path_type=Path, file_okay=False),
    default=None,
    help="Folder with the public corpus (data.csv: text,label,split), e.g. GoEmotions; see docs/training.md.",
)
@click.option(
    "--add-data",
    "add_data",
    multiple=True,
    type=click.Path(path_type=Path, dir_okay=False),
    help="A text,label CSV of your own rows: adapt the shipped model to them (needs --out; repeatable).",
)
def train_command(
    data_dir: Path | None,
    out_dir: Path | None,
    seed: int | None,
    method: str,
    public_data: Path | None,
    add_data: tuple[Path, ...],
) -> None:
    """Retrain the default sentiment model from nlp/data/sentiment_*.csv into nlp/weights/, or adapt it."""
    run_train(data_dir, out_dir, seed, method, public_data=public_data, add_data=add_data)


def run_train(
    data_dir: Path | None,
    out_dir: Path | None,
    seed: int | None,
    method: str,
    public_data: Path | None = None,
    add_data: tuple[Path, ...] = (),
    extra_rows: Sequence[tuple[str, str]] = (),
    extra_source: str = "added",
) -> None:
    """`nlp train`, callable with extra (text, label) rows as plain data: the `heedful` command adds
    analysts' corrections this way (nlp/ never reads the database). It takes every option of
    `train_command` under the same name: heedful's train forwards them as they come."""
    from nlp.inference.sentiment_base import WEIGHTS_DIR
    from nlp.training.corpus import CorpusError

    settings = _settings()
    log: Callable[[str], None] = click.echo
    try:
        if add_data:
            if out_dir is None:
                raise click.UsageError("--add-data needs --out DIR: the adapted model goes to a new folder")
            from nlp.training.retrain import adapt

            card = adapt(add_data, out_dir, extra_rows=extra_rows, extra_source=extra_source, log=log)
            held = card["heldout"]
            click.echo(
                f"adapted the shipped model on {card['adapt']['added_rows']} added rows in {card['train_seconds']} s "
                f"(team held-out macro-F1 now {held['macro_f1']:.4f}); use it with HEEDFUL_SENTIMENT_MODEL={out_dir}"
            )
            return
        if method == "lora":
            from nlp.training.retrain import retrain

            card = retrain(
                settings.encoder,
                out_dir or WEIGHTS_DIR,
                data_dir=data_dir,
                public_data=public_data,
                extra_rows=extra_rows,
                extra_source=extra_source,
                seed=seed,
                log=log,
            )
            held = card["heldout"]
            click.echo(
                f"trained LoRA adapters on {card['corpus']['train_rows']} team rows"
                + "".join(f" + {s['train_rows']} {s['name']} rows" for s in card["sources"][1:] if "train_rows" in s)
                + f" in {card['train_seconds']} s; held-out accuracy {held['accuracy']:.4f}, "
                f"macro-F1 {held['macro_f1']:.4f}; weights sha256 {card['weights_sha256'][:12]}"
            )
            return
        _train_head(settings, data_dir, out_dir or WEIGHTS_DIR, seed, extra_rows, extra_source)
    except (CorpusError, ModelLoadError) as exc:
        raise click.ClickException(str(exc)) from None


def _train_head(
    settings: NLPSettings,
    data_dir: Path | None,
    out_dir: Path,
    seed: int | None,
    extra_rows: Sequence[tuple[str, str]],
    extra_source: str,
) -> None:
    from dataclasses import replace

    from nlp.encoder import Encoder, EncoderConfig
    from nlp.training.corpus import corpus_files
    from nlp.training.head import TrainConfig, train

    config = TrainConfig() if seed is None else replace(TrainConfig(), seed=seed)
    files = corpus_files(data_dir) if data_dir is not None else corpus_files()
    encoder = Encoder(EncoderConfig(model=settings.encoder, batch_size=settings.batch_size, threads=settings.threads))
    card = train(
        encoder, files=files, out_dir=out_dir, config=config, extra_rows=extra_rows, extra_source=extra_source
    )
    held = card["heldout"]
    click.echo(
        f"trained on {card['corpus']['rows']} rows in {card['train_seconds']} s; held-out accuracy "
        f"{held['accuracy']:.4f}, macro-F1 {held['macro_f1']:.4f}; weights sha256 {card['weights_sha256'][:12]}"
    )


@nlp_cli.command("predict")
@click.option("--task", type=PREDICT_TASKS, required=True)
@_data_option
@click.option("--out", "out", required=True, type=click.Path(path_type=Path, dir_okay=False), help="Output CSV.")
@click.option("--taxonomy", type=click.Path(path_type=Path, dir_okay=False), default=None, help="Taxonomy YAML.")
def predict_command(task: str, data: Path, out: Path, taxonomy: Path | None) -> None:
    """Label every row of a CSV with a `text` column; the output keeps input order and row count.

    sentiment: text,label,score,confidence,language (ISO 639-1, empty when none can be told);
    urgency: text,urgent,reason,language (urgent 1/0, reason one fixed category, empty when 0).
    """
    rows = read_rows(data, ("text",))
    texts = [row["text"] for row in rows]
    settings = _settings()
    if task == "sentiment":
        from nlp.inference.language import shared_detector

        model = _load_sentiment(settings)
        results = model.predict(texts)
        languages = shared_detector().detect(texts)
        write_rows(
            out,
            ["text", "label", "score", "confidence", "language"],
            [
                [t, r.overall.label, f"{r.overall.score:.4f}", f"{r.overall.confidence:.4f}", lang.code]
                for t, r, lang in zip(texts, results, languages, strict=True)
            ],
        )
    elif task == "urgency":
        detector = _load_urgency(settings)
        codes = [d.code for d in detector.language_detector.detect(texts)]
        found = detector.detect(texts, codes)
        write_rows(
            out,
            ["text", "urgent", "reason", "language"],
            [
                [t, "1" if u.urgent else "0", (u.reason or "") if u.urgent else "", code]
                for t, u, code in zip(texts, found, codes, strict=True)
            ],
        )
    else:
        tagger, tax = _load_topics(settings, taxonomy)
        topic_results = tagger.tag(texts, tax)
        write_rows(
            out,
            ["text", "topics", "top_topic"],
            [
                [t, "|".join(tag.topic for tag in r.tags), r.top_topic]
                for t, r in zip(texts, topic_results, strict=True)
            ],
        )
    click.echo(f"wrote {len(texts)} rows to {out}", err=True)


@nlp_cli.command("evaluate")
@click.option("--task", type=TASKS, required=True)
@_data_option
@click.option("--taxonomy", type=click.Path(path_type=Path, dir_okay=False), default=None, help="Taxonomy YAML.")
@click.option("--json", "as_json", is_flag=True, help="Print the report as JSON.")
def evaluate_command(task: str, data: Path, taxonomy: Path | None, as_json: bool) -> None:
    """Score the model against gold labels: accuracy, macro-F1, per-class P/R, confusion, texts/s."""
    from nlp.evaluate import classification_report, format_report, multilabel_report

    settings = _settings()
    if task == "sentiment":
        rows = read_rows(data, ("text", "label"))
        gold = [row["label"].strip().lower() for row in rows]
        _check_sentiment_labels(data, gold)
        model = _load_sentiment(settings)
        started = time.perf_counter()
        results = model.predict([row["text"] for row in rows])
        elapsed = time.perf_counter() - started
        binary = set(gold) <= set(BINARY)
        predicted = [_binary_label(r.overall) if binary else r.overall.label for r in results]
        labels = BINARY if binary else ("negative", "neutral", "positive")
        report = classification_report(gold, predicted, labels=labels)
        mode = "binary (P(pos) vs P(neg))" if binary else "3-class"
    else:
        rows = read_rows(data, ("text", "labels"))
        tagger, tax = _load_topics(settings, taxonomy)
        started = time.perf_counter()
        topic_results = tagger.tag([row["text"] for row in rows], tax)
        elapsed = time.perf_counter() - started
        gold_sets = [{lab.strip() for lab in row["labels"].split("|") if lab.strip()} for row in rows]
        names = [t.name for t in tax.topics]
        report = multilabel_report(gold_sets, [{tag.topic for tag in r.tags} for r in topic_results], names)
        mode = "multi-label"
    report.extra.update(
        {"task": task, "mode": mode, "model": _model_name(task, settings), "texts_per_s": _rate(len(rows), elapsed)}
    )
    click.echo(json.dumps(report.to_dict(), indent=2) if as_json else format_report(report))


def _check_sentiment_labels(path: Path, gold: list[str]) -> None:
    unknown = sorted(set(gold) - {"negative", "neutral", "positive"})
    if unknown:
        raise click.ClickException(f"{path}: unknown sentiment labels {', '.join(map(repr, unknown[:5]))}")


def _binary_label(sentiment: Any) -> str:
    """Binary gold: compare P(pos) with P(neg), i.e. the sign of the score (ties count as positive)."""
    return "negative" if sentiment.score < 0 else "positive"


def _model_name(task: str, settings: NLPSettings) -> str:
    return settings.sentiment_model if task == "sentiment" else settings.encoder


def _rate(n: int, seconds: float) -> float:
    return round(n / seconds, 1) if seconds > 0 else 0.0
