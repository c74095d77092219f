#!/usr/bin/env bash
# The suite, twice (`make test` runs `make lint` first): on the embedded default
# (SQLite, in-process state), then on PostgreSQL + Redis in a throw-away database.
# GRIDLINE_REQUIRE_SERVICES=1 (set by CI) makes a missing PostgreSQL/Redis an error;
# otherwise that second pass is skipped with a warning.
set -euo pipefail
cd "$(dirname "$0")/.."
bin=.venv/bin
pg_server=${GRIDLINE_TEST_POSTGRES_SERVER:-postgresql://postgres@127.0.0.1:5432}
redis_url=${GRIDLINE_TEST_REDIS_SERVER:-redis://127.0.0.1:6379/15}

echo "== tests on SQLite + in-process state"
"$bin/pytest" "$@"

echo "== tests on PostgreSQL + Redis"
if ! database_url=$("$bin/python" scripts/throwaway_db.py create "$pg_server" 2>/tmp/gridline-pg.err) \
   || ! "$bin/python" -c "import redis,sys; redis.Redis.from_url(sys.argv[1]).ping()" "$redis_url" 2>/dev/null; then
  if [ "${GRIDLINE_REQUIRE_SERVICES:-0}" = "1" ]; then
    echo "PostgreSQL ($pg_server) or Redis ($redis_url) is not reachable" >&2
    cat /tmp/gridline-pg.err >&2 || true
    exit 1
  fi
  echo "WARNING: PostgreSQL or Redis not reachable; skipped the second pass" >&2
  exit 0
fi
trap '"$bin/python" scripts/throwaway_db.py drop "$database_url" || true' EXIT
GRIDLINE_TEST_DATABASE_URL=$database_url GRIDLINE_TEST_REDIS_URL=$redis_url "$bin/pytest" "$@"
