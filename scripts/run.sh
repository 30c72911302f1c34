#!/usr/bin/env bash
# Migrate, seed the demo when the database is empty, print where to go, then start web + scheduler.
set -euo pipefail
cd "$(dirname "$0")/.."
export HEEDFUL_PORT=${HEEDFUL_PORT:-5000}
.venv/bin/heedful db upgrade
.venv/bin/heedful demo seed --if-empty
url="http://127.0.0.1:${HEEDFUL_PORT}"
cat <<MSG

  Heedful is starting at ${url}/
    Customer survey:   ${url}/s/demo-customer
    Safety survey:     ${url}/s/demo-safety
    Analyst login:     ${url}/login   analyst@demo.heedful  /  demo-analyst-pw
    Safety officer:    safety@demo.heedful  /  demo-safety-pw
    Admin:             admin@demo.heedful   /  demo-admin-pw
  Ctrl-C stops the web server and the scheduler.

MSG
exec .venv/bin/heedful run --port "${HEEDFUL_PORT}"
