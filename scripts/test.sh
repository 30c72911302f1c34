#!/usr/bin/env bash
# The whole suite on SQLite, then again on PostgreSQL when HEEDFUL_TEST_DATABASE_URL names one.
# The pure NLP tests (tests/nlp) touch no database, so the PostgreSQL pass skips them.
set -euo pipefail
cd "$(dirname "$0")/.."
mkdir -p artifacts
echo "== pytest on SQLite"
env -u HEEDFUL_TEST_DATABASE_URL .venv/bin/pytest -q -p no:cacheprovider "$@"
if [ -n "${HEEDFUL_TEST_DATABASE_URL:-}" ]; then
  echo "== pytest on PostgreSQL ($HEEDFUL_TEST_DATABASE_URL)"
  .venv/bin/pytest -q -p no:cacheprovider --ignore=tests/nlp -m "not browser" "$@"
elif [ "${CI:-}" = "true" ]; then
  echo "CI needs HEEDFUL_TEST_DATABASE_URL for the PostgreSQL pass" >&2
  exit 1
else
  echo "== PostgreSQL pass skipped: set HEEDFUL_TEST_DATABASE_URL=postgresql://user@host/db to run it"
fi
