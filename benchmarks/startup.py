"""Start-up time of the command line, against `python -c "import requests"` (figures go in the docs).

Each command runs N times in a fresh interpreter, interleaved with the baseline so a
busy machine slows both alike; the ratio is the median of the command over the median
of the baseline measured in the same run. The commands run in an empty temporary folder
(defaults only: the sample content, SQLite, the outbox), after one untimed run of each
that creates the database. `digest --help` only builds the parser; `digest schedule`
reads the settings and prints the next runs; the everyday commands read the settings and
the database (`digest sources` reads the sample articles from disk and fetches nothing).
The issue's target (24): every one within 3x of the baseline.

Two ways, each with its own baseline: ``installed`` runs with digest, its libraries and the
standard library byte-compiled (as `pip install` leaves a package: requests' compiled files
come from its install too); ``source`` runs the editable checkout as it is, which under
PYTHONDONTWRITEBYTECODE (set in some shells and containers) compiles digest's modules again
at every start.

Run: .venv/bin/python benchmarks/startup.py [--runs 15] [--json] [--way installed|source|both]
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

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

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


def _env(way: str, pycache: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("DIGEST_")}
    if way == "installed":
        from benchmarks.whole_command import compile_installed

        compile_installed(pycache)
        env.pop("PYTHONDONTWRITEBYTECODE", None)
        env["PYTHONPYCACHEPREFIX"] = str(pycache)
    return env


def measure(runs: int, way: str = "installed") -> dict[str, dict[str, float]]:
    times: dict[str, list[float]] = {"baseline": [], **{name: [] for name in COMMANDS}}
    with tempfile.TemporaryDirectory() as cwd:
        env = _env(way, Path(cwd) / "pycache")
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
    parser.add_argument("--way", choices=("installed", "source", "both"), default="both")
    args = parser.parse_args()
    ways = ("installed", "source") if args.way == "both" else (args.way,)
    results = {way: measure(args.runs, way) for way in ways}
    if args.json:
        print(json.dumps(results, indent=2))
    for way, result in results.items():
        if not args.json:
            print(f"{way}: median of {args.runs} runs each; ratio against python -c {BASELINE!r}")
            for name, row in result.items():
                print(f"  {name:<18} {row['median_s']:.3f} s  {row['ratio']:.2f}x")
        slow = [name for name in COMMANDS if result[name]["ratio"] > TARGET]
        if slow:
            print(f"{way}: over {TARGET}x: {', '.join(slow)}", file=sys.stderr)
    return 1 if any(r[n]["ratio"] > TARGET for r in results.values() for n in COMMANDS) else 0


if __name__ == "__main__":
    sys.exit(main())
