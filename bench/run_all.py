"""`make bench`: run every benchmark, then write bench/RESULTS.md and bench/results/all.json.

Each benchmark is a module with a main() that writes bench/results/<name>.json. A benchmark that
fails is reported as failed in the results (with its error) instead of stopping the others.
"""

from __future__ import annotations

import json
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from bench.machine import machine_info

HERE = Path(__file__).resolve().parent
RESULTS = HERE / "results"

# (module, json file it writes, title)
BENCHMARKS = [
    ("bench.nlp_speed", "nlp_speed.json", "NLP speed: heedful nlp predict vs bare encoder vs naive pipeline"),
    ("bench.nlp_sentiment_accuracy", "nlp_sentiment_accuracy.json", "Sentiment accuracy: Heedful vs VADER"),
    ("bench.nlp_topics_accuracy", "nlp_topics_accuracy.json", "Topic tagging, aspect sentiment and urgency"),
    (
        "bench.nlp_ceiling",
        "nlp_ceiling.json",
        "Ceilings: the shipped recipe trained on each public set itself (nothing ships)",
    ),
    ("bench.nlp_urgency", "nlp_urgency.json", "Urgency in en/de/pl/es, and what language detection costs"),
    ("bench.nlp_names", "nlp_names.json", "Bare person names in redaction"),
    ("bench.pipeline_bench", "pipeline.json", "End-to-end scoring vs bare encoder"),
    ("bench.trends_bench", "trends.json", "Trend rebuild and incremental update"),
    ("bench.web_load", "web_load.json", "Answering a survey under load"),
]


def run(module: str) -> tuple[bool, float, str]:
    start = time.monotonic()
    proc = subprocess.run([sys.executable, "-m", module], cwd=HERE.parent, capture_output=True, text=True)
    tail = (proc.stdout + proc.stderr)[-4000:]
    return proc.returncode == 0, time.monotonic() - start, tail


def render(value: Any, depth: int = 0) -> list[str]:
    """Render a result JSON as Markdown: tables where it has them, nested lists otherwise."""
    lines: list[str] = []
    if isinstance(value, dict) and "columns" in value and "rows" in value:
        if value.get("caption"):
            lines.append(f"*{value['caption']}*\n")
        cols = value["columns"]
        lines.append("| " + " | ".join(map(str, cols)) + " |")
        lines.append("|" + "---|" * len(cols))
        for row in value["rows"]:
            cells = row if isinstance(row, list) else [row.get(c, "") for c in cols]
            lines.append("| " + " | ".join(_fmt(c) for c in cells) + " |")
        lines.append("")
        return lines
    if isinstance(value, dict):
        for key, sub in value.items():
            if key == "machine":
                continue
            if isinstance(sub, dict | list) and sub and not _flat_list(sub):
                lines.append("  " * depth + f"- **{key}**")
                lines.extend(render(sub, depth + 1))
            else:
                lines.append("  " * depth + f"- {key}: {_fmt(sub)}")
        return lines
    if isinstance(value, list):
        for item in value:
            if isinstance(item, dict):
                lines.append("  " * depth + "- " + ", ".join(f"{k}: {_fmt(v)}" for k, v in item.items()))
            else:
                lines.append("  " * depth + f"- {_fmt(item)}")
        return lines
    return ["  " * depth + _fmt(value)]


def _flat_list(v: Any) -> bool:
    return isinstance(v, list) and all(not isinstance(x, dict | list) for x in v)


def _fmt(v: Any) -> str:
    if isinstance(v, float):
        return f"{v:.4g}"
    if isinstance(v, list):
        return ", ".join(_fmt(x) for x in v)
    return str(v)


def main() -> None:
    """`python -m bench.run_all [NAME ...] [--collect]`: run all (or the named) benchmarks; --collect only
    re-renders RESULTS.md from the JSON files already in bench/results/. Benchmarks not run this time keep
    their last entry (figures, run time, status), so rerunning one never drops the others from RESULTS.md."""
    RESULTS.mkdir(exist_ok=True)
    collect = "--collect" in sys.argv
    only = {a for a in sys.argv[1:] if not a.startswith("--")}
    previous = _previous_entries()
    summary: dict[str, Any] = {"machine": machine_info(), "benchmarks": {}}
    for module, filename, title in BENCHMARKS:
        if collect or (only and module.split(".")[-1] not in only):
            last = previous.get(module, {})
            ok = (RESULTS / filename).exists() and last.get("ok", True)
            seconds, tail = last.get("seconds", 0.0), last.get("error", "not run this time")
        else:
            print(f"== {module}", flush=True)
            ok, seconds, tail = run(module)
            print(tail[-1500:], flush=True)
        entry: dict[str, Any] = {"title": title, "ok": ok, "seconds": round(seconds, 1)}
        path = RESULTS / filename
        if path.exists():
            entry["results"] = json.loads(path.read_text())
        if not ok:
            entry["error"] = tail[-800:]
        summary["benchmarks"][module] = entry
    (RESULTS / "all.json").write_text(json.dumps(summary, indent=2, default=str))
    write_markdown(summary)
    print(f"wrote {HERE / 'RESULTS.md'}")


def _previous_entries() -> dict[str, Any]:
    try:
        entries: dict[str, Any] = json.loads((RESULTS / "all.json").read_text())["benchmarks"]
    except (OSError, ValueError, KeyError):
        return {}
    return entries


def write_markdown(summary: dict[str, Any]) -> None:
    m = summary["machine"]
    out = [
        "# Heedful benchmark results",
        "",
        f"Written by `bench.run_all` at commit `{m.get('commit')}` on {m.get('cpu')} "
        f"({m.get('cores')} cores, {m.get('memory_gb')} GB RAM), Python {m.get('python')}, torch {m.get('torch')}.",
        "Every comparison within a section was measured in one run on this machine (the commit is given per "
        "section); figures are medians of several runs where the benchmark says so.",
        "",
    ]
    for module, entry in summary["benchmarks"].items():
        out.append(f"## {entry['title']}")
        out.append("")
        # `run_all NAME` reruns one benchmark and keeps the others' last figures, so each section
        # says which commit its figures come from.
        ran_at = (entry.get("results") or {}).get("machine", {}).get("commit")
        at = f" at commit `{ran_at}`" if ran_at else ""
        out.append(f"`python -m {module}` — {'ok' if entry['ok'] else 'FAILED'} in {entry['seconds']} s{at}")
        out.append("")
        if "results" in entry:
            out.extend(render(entry["results"]))
        if not entry["ok"]:
            out.append("```")
            out.append(entry.get("error", ""))
            out.append("```")
        out.append("")
    (HERE / "RESULTS.md").write_text("\n".join(out))


if __name__ == "__main__":
    main()
