"""Start-up time of the command line, against `python -c "import requests"` (figures go in the docs).

Each command runs N times in a fresh interpreter, interleaved with the baseline so a
busy machine slows both alike; the ratio is the median of the command over the median
of the baseline measured in the same run. `digest schedule` reads the settings (an empty
temporary folder: defaults only) and prints the next runs; `digest --help` only builds
the parser. The issue's target: both within 3x of the baseline.

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
}
TARGET = 3.0


def _digest() -> list[str]:
    """The installed `digest` script next to this interpreter, else `python -m digest`."""
    script = Path(sys.executable).with_name("digest")
    return [str(script)] if script.exists() else [sys.executable, "-m", "digest"]


def _once(argv: list[str], cwd: str, env: dict[str, str]) -> float:
    start = time.perf_counter()
    subprocess.run(argv, cwd=cwd, env=env, check=True, stdout=subprocess.DEVNULL, timeout=120)
    return time.perf_counter() - start


def measure(runs: int) -> dict[str, dict[str, float]]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("DIGEST_")}
    times: dict[str, list[float]] = {"baseline": [], **{name: [] for name in COMMANDS}}
    with tempfile.TemporaryDirectory() as cwd:
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
