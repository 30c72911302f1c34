#!/usr/bin/env bash
# Create .venv and install Heedful with its dev extras. Re-running with nothing changed takes seconds:
# the install is skipped while pyproject.toml's hash matches the stamp of the last install.
set -euo pipefail
cd "$(dirname "$0")/.."
PYTHON=${PYTHON:-python3.11}
command -v "$PYTHON" >/dev/null || PYTHON=python3
stamp=.venv/.heedful-installed
want=$(sha256sum pyproject.toml | cut -d' ' -f1)
if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$want" ] && [ -x .venv/bin/heedful ]; then
  exit 0
fi
[ -x .venv/bin/python ] || "$PYTHON" -m venv .venv
.venv/bin/python -m pip install -q --upgrade pip
# torch first and pinned: the CPU build lies on disk; an unpinned torch pulls a multi-GB CUDA build.
.venv/bin/pip install -q "torch==2.13.0"
# compat mode: a .pth path entry, so packages added later (new top-level folders) import too.
.venv/bin/pip install -q -e ".[dev]" --config-settings editable_mode=compat
echo "$want" > "$stamp"
echo "installed Heedful into .venv"
