"""One import direction: survey_app → models; jobs → models, nlp; nlp knows nothing of Flask or the DB.

`common` (periods, mail, reading settings) sits below them all: every layer may import it, and it
imports nothing of ours and no framework.
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
