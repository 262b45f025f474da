"""The whole `digest send` in a fresh process, for benchmarks/send.py: start-up, building and
freezing the edition, the send and its report, as a volunteer runs it."""

from __future__ import annotations

import os
import resource
import shutil
import subprocess
import sys
import time
from pathlib import Path


def command_env(
    world: dict[str, str], port: int, connections: int, data: Path, pycache: Path
) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("DIGEST_")}
    env.update(world, DIGEST_DATA_DIR=str(data))
    env.update(DIGEST_SMTP_PORT=str(port), DIGEST_SMTP_CONNECTIONS=str(connections))
    # Compiled modules as an installed package has them (pip compiles on install), kept apart
    # from the source tree; a shell that sets PYTHONDONTWRITEBYTECODE would otherwise make every
    # start-up compile digest's modules again.
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    env["PYTHONPYCACHEPREFIX"] = str(pycache)
    return env


def compile_installed(pycache: Path) -> None:
    """Byte-compile the digest that `digest send` imports, the libraries and the standard library,
    into ``pycache``.

    The standard library too: with PYTHONPYCACHEPREFIX set, Python looks for every module's
    compiled form under the prefix, so a prefix without the standard library's made each run
    compile ssl, asyncio, email and the rest from source (a sixth of the whole command's time).
    """
    import importlib.util
    import sysconfig

    spec = importlib.util.find_spec("digest")
    assert spec is not None and spec.submodule_search_locations
    site = [p for p in sys.path if p.endswith("site-packages")]
    env = {**os.environ, "PYTHONPYCACHEPREFIX": str(pycache)}
    compile_all = [sys.executable, "-m", "compileall", "-q", "-j", "2"]
    subprocess.run([*compile_all, *spec.submodule_search_locations, *site], env=env, check=False)
    skip = r"[/\\](test|tests|idlelib|tkinter|lib2to3|turtledemo|site-packages)[/\\]"
    subprocess.run([*compile_all, "-x", skip, sysconfig.get_paths()["stdlib"]], env=env, check=False)


def list_only(n: int, workdir: Path) -> Path:
    """A folder with var/ (a database holding only n subscribers, copied for each whole-command run)
    and pycache/ (digest and its libraries compiled, as an install leaves them)."""
    from digest.store import open_store
    from tests.delivery.conftest import add_subscribers

    data = workdir / "seed" / "var"
    data.mkdir(parents=True)
    engine = open_store(f"sqlite:///{data / 'digest.db'}")
    add_subscribers(engine, n)
    engine.dispose()
    compile_installed(workdir / "seed" / "pycache")
    return workdir / "seed"


def whole_command(
    world: dict[str, str], port: int, connections: int, seed: Path, data: Path
) -> tuple[float, float, str]:
    """`digest send` in a fresh process (start-up, building and freezing the edition included)."""
    shutil.copytree(seed / "var", data)
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    out = subprocess.run(
        [sys.executable, "-m", "digest", "send"],
        env=command_env(world, port, connections, data, seed / "pycache"),
        cwd=data,
        capture_output=True,
        text=True,
        check=False,
    )
    took = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    if out.returncode != 0:
        raise SystemExit(f"digest send failed ({out.returncode}): {out.stdout}{out.stderr}")
    return took, cpu, out.stdout
