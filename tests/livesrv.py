"""Running the real ``liangbiping serve`` in a subprocess for browser, socket and fault tests."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import requests


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def record_closings() -> None:
    """In an app context: the closings due just before and just after now are recorded as run.

    A server catches up a missed closing at its start (within the job's grace, an hour) and sends
    every member home, and one running at the closing moment does the same: a test server started
    between 17:30 and 18:30 in the hall, or running across 17:30, would show nobody on duty."""
    from datetime import datetime, timedelta, timezone

    from liangbiping.admin.services import job_runs, opening_hours
    from liangbiping.admin.timefmt import hall_zone

    now = datetime.now(timezone.utc)
    for moment in (now, now + timedelta(days=1)):
        due = job_runs.last_daily_due(moment, opening_hours.closing_time(), hall_zone()).astimezone(timezone.utc)
        if not job_runs.recorded("close_the_day", due) and job_runs.claim("close_the_day", due):
            job_runs.finish("close_the_day", due)


def day_closed_already(data_dir: Path) -> None:
    """``record_closings`` in the SQLite database of a server's data dir, before the server starts."""
    from liangbiping.admin.app import create_app
    from liangbiping.admin.config import TestingConfig
    from liangbiping.admin.extensions import db

    from sqlalchemy import inspect

    app = create_app(TestingConfig.from_env(data_dir, SKIP_MIGRATIONS=True))
    with app.test_request_context("/"):
        if inspect(db.engine).has_table("job_runs"):  # not a database of an older version, to be upgraded
            record_closings()
        db.session.remove()
        db.engine.dispose()


class LiveServer:
    """``liangbiping serve`` on a free port with its own data dir; start/stop at will."""

    def __init__(self, data_dir: Path, port: int | None = None, env: dict | None = None, command: str = "serve",
                 args: tuple[str, ...] = ()):
        self.data_dir = Path(data_dir)
        self.port = port or free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.env = {**os.environ, **(env or {})}
        self.command = command
        self.args = tuple(args)  # more options for the command, e.g. ("--no-scheduler",)
        self.proc: subprocess.Popen | None = None
        self.log = self.data_dir / f"server-{self.port}.log"

    def cli(self, *args: str, stdin: str | None = None) -> subprocess.CompletedProcess:
        return subprocess.run([sys.executable, "-m", "liangbiping.admin.cli", *args, "--data-dir", str(self.data_dir)],
                              input=stdin, capture_output=True, text=True, env=self.env, timeout=120, check=True)

    def start(self, timeout: float = 30) -> "LiveServer":
        self.data_dir.mkdir(parents=True, exist_ok=True)
        if (self.data_dir / "liangbiping.db").exists() and not self.env.get("DATABASE_URL"):
            day_closed_already(self.data_dir)
        with open(self.log, "ab") as log:
            self.proc = subprocess.Popen(
                [sys.executable, "-m", "liangbiping.admin.cli", self.command, "--port", str(self.port), "--data-dir", str(self.data_dir),
                 *self.args],
                stdout=log, stderr=subprocess.STDOUT, env=self.env)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"server exited early:\n{self.log.read_text()[-3000:]}")
            try:
                with urllib.request.urlopen(self.url + "/healthz", timeout=2) as r:
                    if r.status == 200:
                        return self
            except OSError:
                time.sleep(0.1)
        raise RuntimeError(f"server did not answer within {timeout}s:\n{self.log.read_text()[-3000:]}")

    def stop(self) -> int | None:
        if self.proc is None or self.proc.poll() is not None:
            return self.proc.returncode if self.proc else None
        self.proc.send_signal(signal.SIGTERM)
        try:
            return self.proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
            raise


class Api:
    """The admin API of a live server with a bearer token: ``api.post(path, body)`` and the like,
    or ``api(method, path, **requests_kwargs)``; every call must succeed."""

    def __init__(self, server: "LiveServer | str", token: str):
        self.base = (server if isinstance(server, str) else server.url) + "/api/v1"
        self.session = requests.Session()
        self.session.headers["Authorization"] = f"Bearer {token}"

    def __call__(self, method: str, path: str, **kwargs):
        response = self.session.request(method, self.base + path, timeout=10, **kwargs)
        assert response.status_code < 300, f"{method} {path}: {response.status_code} {response.text[:400]}"
        return response.json() if response.content else None

    def post(self, path, body):
        return self("POST", path, json=body)

    def patch(self, path, body):
        return self("PATCH", path, json=body)

    def delete(self, path):
        return self("DELETE", path)

    def get(self, path):
        return self("GET", path)


def admin_token(server: LiveServer) -> str:
    """A new admin API token, from ``liangbiping token create`` (the token is its last line)."""
    out = server.cli("token", "create", "--name", "tests", "--role", "admin").stdout
    return out.strip().splitlines()[-1].strip()
