"""Start-up time of the command line, against `python -c "import requests"` (figures go in the docs).

Each command runs N times in a fresh interpreter, interleaved with the baseline so a
busy machine slows both alike; the ratio is the median of the command over the median
of the baseline measured in the same run. The commands run in an empty temporary folder
(defaults only: the sample content, SQLite, the outbox), after one untimed run of each
that creates the database. `digest --help` only builds the parser; `digest schedule`
reads the settings and prints the next runs; the everyday commands read the settings and
the database (`digest sources` reads the sample articles from disk and fetches nothing).
The issue's target (24): every one within 3x of the baseline.

Run: .venv/bin/python benchmarks/startup.py [--runs 15] [--json]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

BASELINE = "import requests"
COMMANDS = {
    "digest --help": ["--help"],
    "digest schedule": ["schedule"],
    "subscribers count": ["subscribers", "count"],
    "subscribers list": ["subscribers", "list"],
    "status": ["status"],
    "config": ["config"],
    "deliveries": ["deliveries"],
    "sources": ["sources"],
}
TARGET = 3.0


def _digest() -> list[str]:
    """The installed `digest` script next to this interpreter, else `python -m digest`."""
    script = Path(sys.executable).with_name("digest")
    return [str(script)] if script.exists() else [sys.executable, "-m", "digest"]


def _once(argv: list[str], cwd: str, env: dict[str, str]) -> float:
    start = time.perf_counter()
    done = subprocess.run(argv, cwd=cwd, env=env, capture_output=True, timeout=120)
    if done.returncode != 0:
        raise SystemExit(f"{' '.join(argv)} failed: {done.stderr.decode(errors='replace').strip()}")
    return time.perf_counter() - start


def measure(runs: int) -> dict[str, dict[str, float]]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("DIGEST_")}
    times: dict[str, list[float]] = {"baseline": [], **{name: [] for name in COMMANDS}}
    with tempfile.TemporaryDirectory() as cwd:
        for args in COMMANDS.values():  # the first run creates the database: not timed
            _once([*_digest(), *args], cwd, env)
        for _ in range(runs):
            times["baseline"].append(_once([sys.executable, "-c", BASELINE], cwd, env))
            for name, args in COMMANDS.items():
                times[name].append(_once([*_digest(), *args], cwd, env))
    base = statistics.median(times["baseline"])
    return {
        name: {"median_s": round(statistics.median(t), 3), "ratio": round(statistics.median(t) / base, 2)}
        for name, t in times.items()
    }


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--runs", type=int, default=15, help="runs of each command (default 15)")
    parser.add_argument("--json", action="store_true", help="print JSON")
    args = parser.parse_args()
    result = measure(args.runs)
    if args.json:
        print(json.dumps(result, indent=2))
    else:
        print(f"median of {args.runs} runs each; ratio against python -c {BASELINE!r}")
        for name, row in result.items():
            print(f"{name:<18} {row['median_s']:.3f} s  {row['ratio']:.2f}x")
    slow = [name for name in COMMANDS if result[name]["ratio"] > TARGET]
    if slow:
        print(f"over {TARGET}x: {', '.join(slow)}", file=sys.stderr)
    return 1 if slow else 0


if __name__ == "__main__":
    sys.exit(main())
