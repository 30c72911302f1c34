"""One import direction: survey_app → models; jobs → models, nlp; nlp knows nothing of Flask or the DB.

`common` (periods, mail, reading settings) sits below them all: every layer may import it, and it
imports nothing of ours and no framework. No package has an import cycle, lazy imports included.
"""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]

FORBIDDEN = {
    "common": {"models", "nlp", "jobs", "survey_app", "heedful", "flask", "sqlalchemy", "torch", "transformers"},
    "models": {"survey_app", "jobs", "nlp", "flask", "torch", "transformers", "heedful"},
    "nlp": {"survey_app", "jobs", "models", "flask", "sqlalchemy", "heedful"},
    "jobs": {"survey_app", "flask", "heedful"},
    "survey_app": {"jobs", "nlp", "torch", "transformers", "heedful"},
}


def _imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module.split(".")[0])
    return names


@pytest.mark.parametrize("package", sorted(FORBIDDEN))
def test_package_imports_only_downwards(package: str) -> None:
    offenders = [
        f"{path.relative_to(ROOT)} imports {sorted(_imports(path) & FORBIDDEN[package])}"
        for path in sorted((ROOT / package).rglob("*.py"))
        if _imports(path) & FORBIDDEN[package]
    ]
    assert offenders == []


def test_web_app_never_loads_torch() -> None:
    code = (
        "import sys; from survey_app import create_app; from models.settings import load_settings;"
        "import tempfile; d=tempfile.mkdtemp();"
        "create_app(settings=load_settings({'HEEDFUL_INSTANCE_PATH': d}));"
        "print('torch' in sys.modules, 'nlp' in sys.modules)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, check=True)
    assert out.stdout.split() == ["False", "False"]


def _module_name(path: Path) -> str:
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _internal_imports(path: Path, package: str) -> set[str]:
    """Modules of `package` that `path` imports anywhere in its body (lazy imports inside functions too)."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    here = _module_name(path).split(".")
    if path.name != "__init__.py":
        here = here[:-1]  # relative imports start from the module's package
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            candidates = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                anchor = here[: len(here) - node.level + 1]
                base = ".".join(anchor + ([node.module] if node.module else []))
            else:
                base = node.module or ""
            # `from pkg import name` imports the module pkg.name when there is one, and pkg itself.
            candidates = [base] + [f"{base}.{alias.name}" for alias in node.names]
        else:
            continue
        found.update(name for name in candidates if name.split(".")[0] == package and _exists(name))
    return found


def _exists(module: str) -> bool:
    path = ROOT.joinpath(*module.split("."))
    return path.with_suffix(".py").is_file() or (path / "__init__.py").is_file()


def _import_graph(package: str) -> dict[str, set[str]]:
    return {
        _module_name(path): _internal_imports(path, package) - {_module_name(path)}
        for path in sorted((ROOT / package).rglob("*.py"))
    }


def _cycle(graph: dict[str, set[str]]) -> list[str]:
    """One import cycle as a path (first module repeated at the end), or [] when there is none."""
    state: dict[str, int] = {}  # 1: on the current path, 2: done
    path: list[str] = []

    def visit(module: str) -> list[str]:
        state[module] = 1
        path.append(module)
        for dep in sorted(graph.get(module, ())):
            if state.get(dep) == 1:
                return path[path.index(dep) :] + [dep]
            if dep not in state and (found := visit(dep)):
                return found
        path.pop()
        state[module] = 2
        return []

    for module in sorted(graph):
        if module not in state and (found := visit(module)):
            return found
    return []


# Packages checked for import cycles (every package of ours). Lazy imports count: a cycle hidden inside
# a function still means neither module can be understood (or tested) without the other. A blueprint
# lives in its feature's blueprint.py, so view modules never import their own package back.
NO_CYCLES = ["common", "heedful", "jobs", "models", "nlp", "survey_app"]


@pytest.mark.parametrize("package", NO_CYCLES)
def test_no_import_cycles(package: str) -> None:
    assert _cycle(_import_graph(package)) == []


def test_cycle_finder_sees_lazy_imports(tmp_path: Path) -> None:
    assert _cycle({"a": {"b"}, "b": {"c"}, "c": {"a"}}) == ["a", "b", "c", "a"]
    assert _cycle({"a": {"b"}, "b": {"c"}, "c": set()}) == []
    lazy = ROOT / "nlp" / "inference" / "sentiment_base.py"
    assert "nlp.emoji" in _internal_imports(lazy, "nlp")
    # The old circle (sentiment lazily importing lora_sentiment, which imported sentiment back) is found.
    old = {"nlp.sentiment": {"nlp.lora_sentiment"}, "nlp.lora_sentiment": {"nlp.sentiment", "nlp.train"}}
    assert _cycle(old) == ["nlp.lora_sentiment", "nlp.sentiment", "nlp.lora_sentiment"]


# `heedful nlp train` is the one entry point outside nlp.training that may start training.
TRAINING_ENTRY_POINTS = {"nlp.cli"}


def test_nlp_training_imports_inference_never_the_reverse() -> None:
    graph = _import_graph("nlp")
    offenders = {
        module: sorted(dep for dep in deps if dep == "nlp.training" or dep.startswith("nlp.training."))
        for module, deps in graph.items()
        if not module.startswith("nlp.training") and module not in TRAINING_ENTRY_POINTS
    }
    assert {m: deps for m, deps in offenders.items() if deps} == {}
    # The rule has teeth: training really does build on inference.
    assert "nlp.inference.sentiment_lora" in graph["nlp.training.lora"]
