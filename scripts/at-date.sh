#!/usr/bin/env bash
# Run a command with the wall clock starting at another date (and running on), for it and
# every process it starts (PostgreSQL, maildev and Chromium included); the monotonic clock
# stays real, so timeouts and waits behave. Needs Debian's faketime (scripts/test.sh installs it).
#   bash scripts/at-date.sh '2027-01-04 02:10:00' .venv/bin/python -m pytest tests/scheduler
# Dates are UTC. Tests must pass at any date: CI runs the date-sensitive ones under one.
set -euo pipefail
[ $# -ge 2 ] || { echo "usage: $0 'YYYY-MM-DD HH:MM:SS' COMMAND [ARG...]" >&2; exit 2; }
command -v faketime >/dev/null || { echo "$0: faketime is not installed (apt-get install faketime)" >&2; exit 2; }
when=$1; shift
here=$(cd "$(dirname "$0")" && pwd)
export TZ=UTC FAKETIME_DONT_FAKE_MONOTONIC=1
export PYTHONPATH="$here/faketime${PYTHONPATH:+:$PYTHONPATH}"  # time.sleep workaround (see there)
exec faketime "$when" "$@"
