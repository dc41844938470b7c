"""The province recipe of docs/deploy/, started for real: Debian's nginx with the deploy config
(only its ports changed), two ``liangbiping serve --no-scheduler``, one ``liangbiping scheduler``,
and a PostgreSQL cluster and a Redis of its own (so that tests may stop and restart them). Tests
drive it through nginx only."""

from __future__ import annotations

import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from html.parser import HTMLParser
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest
import requests
import socketio

from tests.conftest import IN_CI
from tests.livesrv import LiveServer, free_port

DEPLOY = Path(__file__).resolve().parents[2] / "docs" / "deploy"


def need(what: str, present) -> None:
    """A part the recipe needs: missing in CI fails the test, elsewhere skips it."""
    if not present:
        message = f"the province recipe needs {what}"
        if IN_CI:
            pytest.fail(message)
        pytest.skip(message)


def tool(name: str) -> str:
    path = shutil.which(name) or next((p for p in (f"/usr/sbin/{name}", f"/usr/bin/{name}") if os.path.exists(p)), None)
    need(name, path)
    return path


def wait_port(port: int, timeout: float = 15) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                return
        except OSError:
            time.sleep(0.05)
    raise RuntimeError(f"nothing listens on {port} after {timeout}s")


def render_site(text: str, port: int, backends: list[int]) -> str:
    """docs/deploy/nginx-liangbiping.conf for this machine: ``listen`` on ``port``, and every run of
    ``server 127.0.0.1:NNNN ...;`` lines in an upstream replaced by one line per backend."""
    out, run = [], None
    for line in text.splitlines():
        match = re.match(r"(\s*)server 127\.0\.0\.1:\d+( [^;]*)?;\s*$", line)
        if match:
            if run is None:
                run = match
                out.extend(f"{match[1]}server 127.0.0.1:{b}{match[2] or ''};" for b in backends)
            continue
        run = None
        out.append(re.sub(r"^(\s*)listen 80( [^;]*)?;", rf"\1listen 127.0.0.1:{port}\2;", line))
    rendered = "\n".join(out) + "\n"
    assert re.search(rf"listen 127\.0\.0\.1:{port}[ ;]", rendered) and rendered.count(f":{backends[-1]} ") == 2, rendered
    return rendered


class Nginx:
    """nginx as a child process (not the system service): its own prefix, pid, logs and temp dirs."""

    def __init__(self, root: Path, backends: list[int], workers: int = 1, connections: int = 4096):
        self.binary = tool("nginx")
        self.root = Path(root)
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.root.mkdir(parents=True, exist_ok=True)
        (self.root / "liangbiping.conf").write_text(
            render_site((DEPLOY / "nginx-liangbiping.conf").read_text(), self.port, backends))
        temps = "\n".join(f"  {kind}_temp_path {self.root}/{kind};" for kind in
                          ("client_body", "proxy", "fastcgi", "uwsgi", "scgi"))
        user = "user root;\n" if os.geteuid() == 0 else ""  # workers must reach the temp dirs
        (self.root / "nginx.conf").write_text(
            f"{user}daemon off;\nmaster_process on;\nworker_processes {workers};\npid {self.root}/nginx.pid;\n"
            f"worker_rlimit_nofile {connections + 64};\n"
            f"error_log {self.root}/error.log info;\nevents {{ worker_connections {connections}; }}\n"
            "http {\n  log_format upstream '$request_method $uri $status $upstream_addr';\n"
            f"  access_log {self.root}/access.log upstream;\n{temps}\n"
            f"  include {self.root}/liangbiping.conf;\n}}\n")
        self.proc: subprocess.Popen | None = None

    def start(self) -> "Nginx":
        check = subprocess.run([self.binary, "-t", "-p", str(self.root), "-c", str(self.root / "nginx.conf"),
                                "-e", str(self.root / "error.log")], capture_output=True, text=True)
        assert check.returncode == 0, check.stderr
        self.proc = subprocess.Popen([self.binary, "-p", str(self.root), "-c", str(self.root / "nginx.conf"),
                                      "-e", str(self.root / "error.log")],
                                     stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        wait_port(self.port)
        return self

    def stop(self) -> None:
        if self.proc and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGQUIT)  # graceful: workers finish, then the master leaves
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()

    def upstreams(self, method: str, path_prefix: str) -> list[str]:
        """The backend (host:port) of each logged request whose method and path match."""
        found = []
        for line in (self.root / "access.log").read_text().splitlines():
            parts = line.split(" ")
            if len(parts) >= 4 and parts[0] == method and parts[1].startswith(path_prefix):
                found.append(parts[-1])
        return found


class Redis:
    """A redis-server of the province's own, on its own port, that a test may stop and start."""

    def __init__(self, root: Path):
        self.binary = tool("redis-server")
        self.root = Path(root)
        self.root.mkdir(parents=True, exist_ok=True)
        self.port = free_port()
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.proc: subprocess.Popen | None = None

    def start(self) -> "Redis":
        self.proc = subprocess.Popen([self.binary, "--port", str(self.port), "--bind", "127.0.0.1", "--save", "",
                                      "--appendonly", "no", "--dir", str(self.root)],
                                     stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        wait_port(self.port)
        return self

    def stop(self) -> None:
        if self.proc and self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()


class Scheduler:
    """``liangbiping scheduler``; ready once APScheduler says it started."""

    def __init__(self, data_dir: Path, env: dict, name: str = "scheduler"):
        self.data_dir = Path(data_dir)
        self.env = env
        self.log = self.data_dir / f"{name}.log"
        self.proc: subprocess.Popen | None = None

    def start(self, timeout: float = 30) -> "Scheduler":
        self.data_dir.mkdir(parents=True, exist_ok=True)
        offset = self.log.stat().st_size if self.log.exists() else 0
        with open(self.log, "ab") as log:
            self.proc = subprocess.Popen([sys.executable, "-m", "liangbiping.admin.cli", "scheduler",
                                          "--data-dir", str(self.data_dir)],
                                         stdout=log, stderr=subprocess.STDOUT, env=self.env)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"scheduler exited early:\n{self.log.read_text()[-3000:]}")
            if "Scheduler started" in self.log.read_text()[offset:]:
                return self
            time.sleep(0.1)
        raise RuntimeError(f"scheduler did not start within {timeout}s:\n{self.log.read_text()[-3000:]}")

    def stop(self) -> None:
        if self.proc and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()


def postgres_bin() -> Path:
    versions = sorted(Path("/usr/lib/postgresql").glob("*/bin/pg_ctl"), key=lambda p: int(p.parts[-3]))
    need("PostgreSQL's server programs (/usr/lib/postgresql/*/bin)", versions)
    return versions[-1].parent


class Postgres:
    """A PostgreSQL cluster of the province's own (initdb in a temp dir, pg_ctl on a free port), so
    that a test may restart it. As root it runs as the ``postgres`` user, which PostgreSQL requires."""

    def __init__(self, root: Path):
        self.bin = postgres_bin()
        self.as_postgres = os.geteuid() == 0
        # pytest's temp dirs are root's alone (0700): the postgres user could not reach one inside.
        self.root = Path(tempfile.mkdtemp(prefix="liangbiping-pg-")) if self.as_postgres else Path(root)
        self.data = self.root / "data"
        self.port = free_port()
        self.url = f"postgresql+psycopg://postgres@127.0.0.1:{self.port}/liangbiping"

    def _run(self, *args: str) -> None:
        command = [str(self.bin / args[0]), *args[1:]]
        if self.as_postgres:
            command = ["su", "postgres", "-s", "/bin/sh", "-c", " ".join(f"'{a}'" for a in command)]
        done = subprocess.run(command, capture_output=True, text=True, timeout=60)
        assert done.returncode == 0, f"{args[0]}: {done.stdout}{done.stderr}"

    def init(self) -> "Postgres":
        self.root.mkdir(parents=True, exist_ok=True)
        if self.as_postgres:
            shutil.chown(self.root, "postgres")
        self._run("initdb", "-D", str(self.data), "-U", "postgres", "-A", "trust", "-E", "UTF8", "--no-sync")
        self.start()
        import psycopg

        with psycopg.connect(f"postgresql://postgres@127.0.0.1:{self.port}/postgres", autocommit=True) as conn:
            conn.execute("CREATE DATABASE liangbiping")
        return self

    def start(self) -> None:
        options = f"-p {self.port} -k {self.root} -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=200"
        self._run("pg_ctl", "-D", str(self.data), "-o", options, "-l", str(self.root / "log"), "-w", "start")

    def query(self, sql: str, *params) -> list[tuple]:
        """Rows of ``sql`` read straight from the database (what the API does not show)."""
        import psycopg

        with psycopg.connect(f"postgresql://postgres@127.0.0.1:{self.port}/liangbiping") as conn:
            return conn.execute(sql, params).fetchall()

    def stop(self, mode: str = "fast") -> None:
        if (self.data / "postmaster.pid").exists():
            self._run("pg_ctl", "-D", str(self.data), "-m", mode, "-w", "stop")

    def remove(self) -> None:
        self.stop()
        shutil.rmtree(self.root, ignore_errors=True)


class Screen:
    """A python-socketio screen on /display through nginx (websocket transport, like the screen
    page), reconnecting like the page does; records every event."""

    def __init__(self, url: str, token: str):
        self.events: list[tuple[str, object]] = []
        self.cond = threading.Condition()
        self.sio = socketio.Client(reconnection=True, reconnection_delay=0.2, reconnection_delay_max=1)
        for name in ("state", "patch", "rejoin", "revoked", "connect", "disconnect"):
            self.sio.on(name, self._recorder(name), namespace="/display")
        self.sio.connect(url, namespaces=["/display"], auth={"token": token, "resolution": "1920x1080"},
                         transports=["websocket"], wait_timeout=10)

    def _recorder(self, name):
        def record(data=None, *_):
            with self.cond:
                self.events.append((name, data))
                self.cond.notify_all()
        return record

    def of(self, name: str) -> list:
        with self.cond:
            return [data for event, data in self.events if event == name]

    def versions(self) -> list[int]:
        with self.cond:
            return [data["version"] for event, data in self.events if event in ("state", "patch")]

    def until(self, check, timeout: float = 10.0, what: str = "condition"):
        """Wait until ``check(self)`` is true (or rejoin the content key when told to)."""
        deadline = time.monotonic() + timeout
        with self.cond:
            while True:
                asked = sum(1 for event, _ in self.events if event == "rejoin")
                if asked > sum(1 for event, _ in self.events if event == "rejoin-answered"):
                    self.events.append(("rejoin-answered", None))  # however many events came since
                    threading.Thread(target=self._hello, daemon=True).start()
                result = check(self)
                if result:
                    return result
                left = deadline - time.monotonic()
                if left <= 0:
                    raise AssertionError(f"{what} not reached; events {[e for e, _ in self.events][-20:]}")
                self.cond.wait(min(left, 0.5))

    def _hello(self):
        try:
            self.sio.emit("hello", {}, namespace="/display")
        except Exception:  # noqa: BLE001 - reconnecting; the server sends state on connect anyway
            pass

    def latest_members(self) -> dict:
        """The members section as the screen would show it now (its last state, then patches)."""
        members = None
        with self.cond:
            for event, data in self.events:
                if event in ("state", "patch") and "members" in data.get("sections", {}):
                    members = data["sections"]["members"]
        return {m["id"]: m for m in members or []}

    def close(self):
        self.sio.reconnection = False
        if self.sio.connected:
            self.sio.disconnect()


class FormFields(HTMLParser):
    """The fields of each ``<form>`` of a page, as a browser would submit them unchanged."""

    def __init__(self):
        super().__init__()
        self.forms: list[dict[str, str]] = []
        self._select: str | None = None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "form":
            self.forms.append({})
        if not self.forms or not a.get("name") and tag != "option":
            return
        fields = self.forms[-1]
        if tag == "input" and (a.get("type") not in ("checkbox", "radio") or "checked" in a):
            fields[a["name"]] = a.get("value") or ""
        elif tag == "select":
            self._select = a["name"]
        elif tag == "option" and self._select and (self._select not in fields or "selected" in a):
            fields[self._select] = a.get("value") or ""

    def handle_endtag(self, tag):
        if tag == "select":
            self._select = None


class Console:
    """A signed-in console (an administrator's browser, without the scripts) through ``url``."""

    def __init__(self, url: str, username: str, password: str):
        self.url = url
        self.session = requests.Session()
        self.post("/admin/login", {"username": username, "password": password})

    def form(self, path: str, holding: set[str]) -> dict:
        """The fields of the page's first form that has all of ``holding``."""
        parser = FormFields()
        parser.feed(self.session.get(self.url + path, timeout=10).text)
        return next(fields for fields in parser.forms if holding <= fields.keys())

    def post(self, path: str, changes: dict, page: str | None = None) -> requests.Response:
        """Submit the form of ``page`` (``path`` itself by default) to ``path`` with ``changes``;
        a redirect (303) means it was saved."""
        fields = self.form(page or path, set(changes) if page is None else {"csrf_token"})
        response = self.session.post(self.url + path, data={**fields, **changes}, timeout=10, allow_redirects=False)
        assert response.status_code in (302, 303), (path, response.status_code, response.text[:500])
        return response


def rating(kiosk_token: str, minutes_ago: float, score: int = 5) -> dict:
    # Each a few minutes apart: the repeat-press rule must not flag them (flagged ones are not counted).
    at = datetime.now(timezone.utc) - timedelta(minutes=minutes_ago)
    return {"id": str(uuid.uuid4()), "score": score, "channel": "kiosk", "kiosk_token": kiosk_token,
            "rated_at": at.isoformat()}


class Province:
    """Everything of the recipe, started in its order: PostgreSQL (given), Redis, the scheduler
    (it migrates the schema), the server processes, nginx."""

    def __init__(self, root: Path, servers: int = 2):
        self.root = Path(root)
        tool("nginx")
        tool("redis-server")
        self.postgres = Postgres(self.root / "postgres")
        self.redis = Redis(self.root / "redis")
        self.data_dir = self.root / "data"  # one data dir for all processes, as in liangbiping.env
        self.env = {**os.environ, "DATABASE_URL": self.postgres.url, "REDIS_URL": self.redis.url,
                    "SECRET_KEY": "province-recipe-test-secret", "LIANGBIPING_TRUSTED_PROXIES": "127.0.0.1",
                    # The fault tests send a rating load through four kiosks: no burst limit.
                    "LIANGBIPING_RATING_BURST_KIOSK": "0/1"}
        self.scheduler = Scheduler(self.data_dir, self.env)
        self.servers = [LiveServer(self.data_dir, env=self.env, args=("--no-scheduler",)) for _ in range(servers)]
        self.nginx = Nginx(self.root / "nginx", [s.port for s in self.servers])
        self.url = self.nginx.url
        self.token = None

    def start(self) -> "Province":
        self.postgres.init()
        self.redis.start()
        self.scheduler.start()
        from tests.livesrv import admin_token

        self.token = admin_token(self.servers[0])
        for server in self.servers:
            server.start()
        self.nginx.start()
        return self

    def stop(self) -> None:
        for part in (self.nginx, *self.servers, self.scheduler, self.redis, self.postgres):
            try:
                part.remove() if part is self.postgres else part.stop()
            except Exception:  # noqa: BLE001 - stop the rest regardless
                pass

    def health(self, server: LiveServer) -> tuple[int, dict]:
        response = requests.get(server.url + "/healthz", timeout=10)
        return response.status_code, response.json()
