#!/usr/bin/env bash
# Run the whole test suite. Starts a throwaway PostgreSQL on loopback for the store tests when the
# server binaries are installed and JIXIAO_TEST_PG_URL is not already set.
set -uo pipefail
cd "$(dirname "$0")/.."

pg_started=""
if [ -z "${JIXIAO_TEST_PG_URL:-}" ] && [ -x scripts/pg-test-server.sh ]; then
  if url=$(scripts/pg-test-server.sh start); then
    export JIXIAO_TEST_PG_URL="$url"
    pg_started=1
  else
    echo "提示：PostgreSQL 未能启动，PostgreSQL 存储测试将被跳过。" >&2
  fi
fi

.venv/bin/python -m pytest -q -n "${JIXIAO_TEST_JOBS:-2}" "$@"
status=$?
[ -n "$pg_started" ] && scripts/pg-test-server.sh stop >/dev/null 2>&1
# pytest exits 5 when it collected nothing: that is a broken suite, not a pass.
[ "$status" -eq 5 ] && echo "错误：pytest 没有收集到任何测试" >&2
exit $status
