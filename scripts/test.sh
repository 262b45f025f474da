#!/usr/bin/env bash
# Install everything the tests need, then run them. README command 2; CI runs it too.
# Safe to run again: each step skips what is already there. With CI=true (as .ci/run sets)
# a real-part test that skips because its tool is missing fails the run (tests/ci_skips.py).
set -euo pipefail
cd "$(dirname "$0")/.."

PY=${PYTHON:-python3}
[ -x .venv/bin/python ] || "$PY" -m venv .venv
.venv/bin/python -m pip install --quiet --upgrade pip
.venv/bin/python -m pip install --quiet -e ".[test]"

# System packages for the real-browser, database and mailbox tests (Debian; needs root or sudo).
need=()
command -v chromium >/dev/null 2>&1 || need+=(chromium)
fc-list 2>/dev/null | grep -qi nanum || need+=(fonts-nanum)
command -v pg_ctl >/dev/null 2>&1 || [ -n "$(ls /usr/lib/postgresql/*/bin/pg_ctl 2>/dev/null)" ] || need+=(postgresql)
[ -x node_modules/.bin/maildev ] || command -v npm >/dev/null 2>&1 || need+=(npm)
command -v faketime >/dev/null 2>&1 || need+=(faketime)  # scripts/at-date.sh: the suite at other dates
# A real IMAP and POP3 server for the bounce mailbox tests (started per test worker, never as a service).
{ command -v dovecot || [ -x /usr/sbin/dovecot ]; } >/dev/null 2>&1 || need+=(dovecot-imapd dovecot-pop3d)
command -v spamassassin >/dev/null 2>&1 || need+=(spamassassin)  # the email's own spam score (render tests)
if [ ${#need[@]} -gt 0 ]; then
  SUDO=""; [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${need[@]}" >/dev/null
fi

# maildev (a real SMTP server with a web API) for end-to-end mail tests, and axe-core
# (accessibility rules) for the browser tests of digest serve; it runs inside Chromium.
# One npm call for both: without a package.json, `npm install --no-save X` removes every
# package it was not named in this call, so a second call would delete the first one's.
if [ ! -x node_modules/.bin/maildev ] || [ ! -f node_modules/axe-core/axe.min.js ]; then
  npm install --no-audit --no-fund --no-save --no-package-lock --silent maildev@2 axe-core@4 >/dev/null
fi

# Several workers (pytest-xdist): the tests mostly wait on servers and subprocesses, so more
# workers than cores pays. Each file stays on one worker (its module-scoped servers start once).
# TEST_WORKERS=0 runs in this process (for pdb); a -n given here wins too.
exec .venv/bin/python -m pytest -n "${TEST_WORKERS:-4}" --dist loadfile "$@"
