#!/usr/bin/env bash
# mypy over the package as it installs: `jobs/` is `digest.jobs` inside `digest`.
# `mypy digest jobs` checks each folder but cannot follow `digest.jobs` imports (setuptools
# maps the folder at install time, mypy only sees files), so those would be typed Any.
# This lays out the installed shape with symlinks in a temporary folder and checks it.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
tree=$(mktemp -d)
trap 'rm -rf "$tree"' EXIT
mkdir "$tree/digest"
for entry in digest/*; do
  ln -s "$root/$entry" "$tree/digest/"
done
ln -s "$root/jobs" "$tree/digest/jobs"
cd "$tree"
"$root/.venv/bin/mypy" --config-file "$root/pyproject.toml" --cache-dir "$root/.mypy_cache" -p digest
