"""`digest serve`'s app under cProfile, for `benchmarks/serve.py --profile`.

Builds the app as `digest serve` does and serves it with the same waitress options; each
request runs under its thread's own profiler (cProfile follows one thread), and when the
benchmark stops the server the threads' figures are merged and the functions that took
the most time, their callees included, are written to the file named on the command line.
Time is the thread's CPU time: with eight threads and one interpreter lock, wall time mostly
measures waiting for the lock wherever a call happens to give it up.

Run by the benchmark: python benchmarks/serve_profile.py PORT OUT (DIGEST_* from the environment).
"""

from __future__ import annotations

import cProfile
import io
import os
import pstats
import signal
import sys
import threading
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


class Profiled:
    """A WSGI app whose every call is profiled, one profiler per thread."""

    def __init__(self, app: Any) -> None:
        self.app = app
        self.local = threading.local()
        self.all: list[cProfile.Profile] = []

    def __call__(self, environ: dict[str, Any], start_response: Any) -> Any:
        profile = getattr(self.local, "profile", None)
        if profile is None:
            profile = self.local.profile = cProfile.Profile(time.thread_time)
            self.all.append(profile)
        profile.enable()
        try:
            return list(self.app(environ, start_response))
        finally:
            profile.disable()

    def report(self, top: int = 45) -> str:
        out = io.StringIO()
        stats = pstats.Stats(self.all[0], stream=out)
        for profile in self.all[1:]:
            stats.add(profile)
        stats.sort_stats("cumulative").print_stats(top)
        stats.sort_stats("tottime").print_stats(top)
        return out.getvalue()


def main() -> None:
    from waitress.server import create_server

    from digest.plugins import load_settings
    from digest.serve import create_app
    from digest.serve.runner import waitress_options

    port, out = int(sys.argv[1]), Path(sys.argv[2])
    settings = load_settings(environ=dict(os.environ), read_dotenv=False)
    profiled = Profiled(create_app(settings))
    server = create_server(profiled, **waitress_options(settings, "127.0.0.1", port))  # type: ignore[arg-type]

    def stop(*_: object) -> None:
        out.write_text(profiled.report() if profiled.all else "no requests\n")
        os._exit(0)

    signal.signal(signal.SIGTERM, stop)
    server.run()


if __name__ == "__main__":
    main()
