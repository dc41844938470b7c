"""The `liangbiping` command, run for real in a subprocess with its own data dir."""

from __future__ import annotations

import json
import os
import re
import shutil
import signal
import socket
import sqlite3
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest
from werkzeug.security import check_password_hash

PASSWORD = "correct-horse-battery"


def cli(*args: str, stdin: str | None = None, env: dict | None = None, timeout: float = 120, cwd=None):
    return subprocess.run([sys.executable, "-m", "liangbiping.admin.cli", *args], input=stdin, capture_output=True, text=True,
                          env={**os.environ, **(env or {})}, timeout=timeout, cwd=cwd)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def get(url: str, headers: dict | None = None, timeout: float = 5):
    """(status, body) for a GET, errors included."""
    request = urllib.request.Request(url, headers=headers or {})
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read()


def user_row(data_dir: Path, username: str):
    with sqlite3.connect(data_dir / "liangbiping.db") as conn:
        return conn.execute("SELECT role, password_hash, active FROM users WHERE username = ?", (username,)).fetchone()


class Server:
    """`liangbiping serve|demo` in the background; output goes to a file, so no pipe can fill up."""

    def __init__(self, command: str, data_dir: Path, env: dict | None = None, data_dir_flag: bool = True, cwd=None):
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log = data_dir.parent / f"{data_dir.name}-{command}-{self.port}.log"
        args = [sys.executable, "-m", "liangbiping.admin.cli", command, "--port", str(self.port)]
        if data_dir_flag:
            args += ["--data-dir", str(data_dir)]
        with open(self.log, "wb") as out:
            self.proc = subprocess.Popen(args, stdout=out, stderr=subprocess.STDOUT, env={**os.environ, **(env or {})},
                                         cwd=cwd)

    def output(self) -> str:
        return self.log.read_text(errors="replace")

    def wait_ready(self, timeout: float = 90) -> "Server":
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise AssertionError(f"server exited with {self.proc.returncode}:\n{self.output()[-3000:]}")
            try:
                if get(self.url + "/healthz", timeout=2)[0] == 200:
                    return self
            except OSError:
                pass
            time.sleep(0.2)
        raise AssertionError(f"no answer within {timeout}s:\n{self.output()[-3000:]}")

    def terminate(self, within: float = 8) -> tuple[int, float]:
        started = time.monotonic()
        self.proc.send_signal(signal.SIGTERM)
        try:
            code = self.proc.wait(timeout=within)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
            raise AssertionError(f"still running {within}s after SIGTERM:\n{self.output()[-3000:]}")
        return code, time.monotonic() - started

    def kill(self):
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()


@pytest.fixture
def servers():
    started: list[Server] = []
    yield started
    for server in started:
        server.kill()


# --- create-admin -----------------------------------------------------------------------------

def test_create_admin_then_sign_in(tmp_path):
    data = tmp_path / "data"
    result = cli("create-admin", "boss", "--password-stdin", "--data-dir", str(data), stdin=PASSWORD + "\n")
    assert result.returncode == 0, result.stderr
    assert "boss" in result.stdout
    role, password_hash, active = user_row(data, "boss")
    assert role == "admin" and active
    assert check_password_hash(password_hash, PASSWORD)
    assert PASSWORD not in password_hash

    # ... and the console takes that password.
    from liangbiping.admin.app import create_app
    from liangbiping.admin.config import TestingConfig
    from liangbiping.admin.extensions import db
    from tests.factories import csrf_token

    app = create_app(TestingConfig.from_env(data, SQLALCHEMY_DATABASE_URI=f"sqlite:///{data}/liangbiping.db"))
    client = app.test_client()
    response = client.post("/admin/login", data={"username": "boss", "password": PASSWORD,
                                                 "csrf_token": csrf_token(client, "/admin/login")})
    assert response.status_code == 302
    assert client.get("/admin/").status_code == 200
    with app.app_context():
        db.engine.dispose()


def test_create_admin_resets_an_existing_one(tmp_path):
    data = str(tmp_path / "data")
    assert cli("create-admin", "boss", "--password-stdin", "--data-dir", data, stdin=PASSWORD).returncode == 0
    assert cli("create-admin", "boss", "--password-stdin", "--data-dir", data, stdin="a-new-password\n").returncode == 0
    _role, password_hash, _active = user_row(tmp_path / "data", "boss")
    assert check_password_hash(password_hash, "a-new-password")
    assert not check_password_hash(password_hash, PASSWORD)


@pytest.mark.parametrize("password", ["short", ""])
def test_create_admin_refuses_a_short_password(tmp_path, password):
    english = {"LC_ALL": "", "LC_MESSAGES": "", "LANG": "en_US.UTF-8"}
    result = cli("create-admin", "boss", "--password-stdin", "--data-dir", str(tmp_path / "d"),
                 stdin=password + "\n", env=english)
    assert result.returncode != 0
    assert "at least 8 characters" in result.stderr
    chinese = cli("create-admin", "boss", "--password-stdin", "--data-dir", str(tmp_path / "d"),
                  stdin=password + "\n", env={"LC_ALL": "", "LC_MESSAGES": "", "LANG": "C.UTF-8"})
    assert chinese.returncode != 0 and "密码至少需要 8 个字符" in chinese.stderr
    assert "Traceback" not in result.stderr
    assert user_row(tmp_path / "d", "boss") is None


def test_create_admin_needs_password_stdin(tmp_path):
    result = cli("create-admin", "boss", "--data-dir", str(tmp_path / "d"), stdin=PASSWORD)
    assert result.returncode == 2 and "--password-stdin" in result.stderr


# --- token create -----------------------------------------------------------------------------

def test_token_create_prints_a_working_token_on_the_last_line(tmp_path, servers):
    data = tmp_path / "data"
    result = cli("token", "create", "--name", "sync", "--role", "admin", "--data-dir", str(data))
    assert result.returncode == 0, result.stderr
    token = result.stdout.strip().splitlines()[-1]
    assert re.fullmatch(r"\S{20,}", token), result.stdout
    with sqlite3.connect(data / "liangbiping.db") as conn:
        hashes = [row[0] for row in conn.execute("SELECT token_hash FROM api_tokens")]
    assert token not in hashes and len(hashes) == 1

    server = Server("serve", data)
    servers.append(server)
    server.wait_ready()
    status, body = get(server.url + "/api/v1/departments", {"Authorization": f"Bearer {token}"})
    assert status == 200, body
    assert "items" in json.loads(body)
    status, body = get(server.url + "/api/v1/departments", {"Authorization": "Bearer not-the-token"})
    assert status == 401 and json.loads(body)["error"]["code"]
    assert server.terminate()[0] == 0


def test_token_create_refuses_an_unknown_role(tmp_path):
    result = cli("token", "create", "--name", "x", "--role", "root", "--data-dir", str(tmp_path / "d"))
    assert result.returncode != 0 and "role" in result.stderr


# --- serve ------------------------------------------------------------------------------------

def test_serve_answers_http_and_websocket_and_stops_on_sigterm(tmp_path, servers):
    import socketio

    server = Server("serve", tmp_path / "data")
    servers.append(server)
    server.wait_ready()
    status, body = get(server.url + "/healthz")
    assert status == 200 and json.loads(body)["status"] == "ok"
    status, body = get(server.url + "/admin/login")
    assert status == 200 and b"password" in body

    client = socketio.Client(reconnection=False)
    client.connect(server.url, transports=["websocket"], wait_timeout=10)
    try:
        assert client.connected and client.transport() == "websocket"
        # With a websocket still open, SIGTERM ends the server promptly and cleanly.
        code, took = server.terminate(within=8)
    finally:
        client.disconnect()
    assert code == 0, server.output()[-2000:]
    assert took < 6, took
    assert "Traceback" not in server.output()


def test_serve_refuses_a_port_in_use(tmp_path):
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        result = cli("serve", "--port", str(port), "--data-dir", str(tmp_path / "d"), "--no-scheduler", timeout=60)
    assert result.returncode != 0
    assert "cannot listen" in result.stderr and "Traceback" not in result.stderr


def test_data_dir_from_the_environment(tmp_path, servers):
    data = tmp_path / "from-env"
    env = {"LIANGBIPING_DATA_DIR": str(data)}
    work = tmp_path / "cwd"
    work.mkdir()
    assert cli("create-admin", "boss", "--password-stdin", stdin=PASSWORD, env=env, cwd=work).returncode == 0
    assert user_row(data, "boss") is not None
    token = cli("token", "create", "--name", "t", "--role", "admin", env=env, cwd=work).stdout.strip().splitlines()[-1]
    server = Server("serve", data, env=env, data_dir_flag=False, cwd=work)
    servers.append(server)
    server.wait_ready()
    status, _body = get(server.url + "/api/v1/departments", {"Authorization": f"Bearer {token}"})
    assert status == 200
    assert server.terminate()[0] == 0
    assert (data / "secret_key").exists()
    assert list(work.iterdir()) == [], "nothing written to the default ./liangbiping-data"


def test_scheduler_runs_alone_and_stops_on_sigterm(tmp_path):
    log = tmp_path / "scheduler.log"
    with open(log, "wb") as out:
        proc = subprocess.Popen([sys.executable, "-m", "liangbiping.admin.cli", "scheduler", "--data-dir", str(tmp_path / "d")],
                                stdout=out, stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + 90
        while "Scheduler started" not in log.read_text(errors="replace"):
            assert proc.poll() is None, log.read_text()[-2000:]
            assert time.monotonic() < deadline, log.read_text()[-2000:]
            time.sleep(0.2)
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(timeout=10) == 0
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()


# --- demo -------------------------------------------------------------------------------------

def _printed_urls(text: str) -> list[str]:
    return re.findall(r"http://127\.0\.0\.1:\d+/(?:display|kiosk)/\d+#token=\S+", text)


def test_demo_seeds_serves_and_prints_urls(tmp_path, servers):
    data = tmp_path / "data"
    server = Server("demo", data)
    servers.append(server)
    server.wait_ready(timeout=120)
    out = server.output()
    assert f"{server.url}/admin/" in out
    assert "admin / liangbiping-demo" in out
    urls = _printed_urls(out)
    assert len([u for u in urls if "/display/" in u]) >= 4
    assert len([u for u in urls if "/kiosk/" in u]) >= 4

    # the seeded photos are served
    with sqlite3.connect(data / "liangbiping.db") as conn:
        photo = conn.execute("SELECT photo FROM staff WHERE photo IS NOT NULL").fetchone()[0]
        staff = conn.execute("SELECT count(*) FROM staff").fetchone()[0]
        ratings = conn.execute("SELECT count(*) FROM ratings").fetchone()[0]
    assert staff >= 12 and ratings > 0
    status, body = get(f"{server.url}/media/photos/{photo}")
    assert status == 200 and body[:2] == b"\xff\xd8"

    # The printed pages exist, and a printed screen token is accepted on the screens' namespace.
    screen_url = next(u for u in urls if "/display/" in u)
    kiosk_url = next(u for u in urls if "/kiosk/" in u)
    assert get(screen_url.split("#")[0])[0] == 200
    assert get(kiosk_url.split("#")[0])[0] == 200
    _assert_screen_gets_state(server.url, screen_url.split("#token=")[1])

    # The printed login signs in.
    import requests

    with requests.Session() as browser:
        page = browser.get(server.url + "/admin/login", timeout=10).text
        csrf = re.search(r'name="csrf-token" content="([^"]+)"', page).group(1)
        response = browser.post(server.url + "/admin/login", data={
            "username": "admin", "password": "liangbiping-demo", "csrf_token": csrf}, allow_redirects=False,
            timeout=10)
        assert response.status_code == 302, response.text[:500]
        assert browser.get(server.url + "/admin/", timeout=10).status_code == 200
    assert server.terminate()[0] == 0

    # Again on the same data dir: nothing new is seeded and the same device URLs are printed.
    again = Server("demo", data)
    servers.append(again)
    again.wait_ready(timeout=120)
    port_free = [u.replace(f":{again.port}/", "/") for u in _printed_urls(again.output())]
    assert port_free == [u.replace(f":{server.port}/", "/") for u in urls]
    with sqlite3.connect(data / "liangbiping.db") as conn:
        assert conn.execute("SELECT count(*) FROM staff").fetchone()[0] == staff
        assert conn.execute("SELECT count(*) FROM ratings").fetchone()[0] == ratings
    assert again.terminate()[0] == 0


def _assert_screen_gets_state(url: str, token: str) -> None:
    import threading

    import socketio

    got = threading.Event()
    client = socketio.Client(reconnection=False)
    client.on("state", lambda data: got.set(), namespace="/display")
    client.connect(url, namespaces=["/display"], transports=["websocket"], auth={"token": token}, wait_timeout=10)
    try:
        assert got.wait(10), "no state for the demo screen"
    finally:
        client.disconnect()


def test_installed_console_script():
    """pip puts the console script next to the interpreter it installed into (the venv's bin/),
    whether or not that venv is activated; the tests run on an installed package, so it is there."""
    beside = Path(sys.executable).parent / "liangbiping"
    script = str(beside) if beside.exists() else shutil.which("liangbiping")
    assert script, f"pip install put no liangbiping script next to {sys.executable} nor on PATH"
    result = subprocess.run([script, "--help"], capture_output=True, text=True, timeout=60)
    assert result.returncode == 0
    for command in ("serve", "demo", "create-admin", "token"):
        assert command in result.stdout


def test_create_admin_and_token_refuse_a_folder_without_a_data_dir(tmp_path):
    """Run by mistake in some folder, they say where they looked instead of making an empty hall there."""
    work = tmp_path / "somewhere"
    work.mkdir()
    env = {"LIANGBIPING_DATA_DIR": "", "DATABASE_URL": "", "LANG": "en_US.UTF-8"}
    for args, stdin in ((("create-admin", "boss", "--password-stdin"), PASSWORD),
                        (("token", "create", "--name", "t", "--role", "admin"), None)):
        result = cli(*args, stdin=stdin, env=env, cwd=work)
        assert result.returncode == 2, result.stdout
        assert str(work / "liangbiping-data") in result.stderr and "--data-dir" in result.stderr
    assert list(work.iterdir()) == []
    chinese = cli("token", "create", "--name", "t", "--role", "admin", env={**env, "LANG": "zh_CN.UTF-8"}, cwd=work)
    assert chinese.returncode == 2 and "数据目录" in chinese.stderr
    # Where a hall lives, they work.
    data = work / "liangbiping-data"
    assert cli("create-admin", "boss", "--password-stdin", "--data-dir", str(data), stdin=PASSWORD,
               env=env).returncode == 0
    assert cli("token", "create", "--name", "t", "--role", "admin", env=env, cwd=work).returncode == 0


def test_a_leader_token_from_the_command_line_acts_for_a_leader(tmp_path):
    data = tmp_path / "d"
    assert cli("create-admin", "boss", "--password-stdin", "--data-dir", str(data), stdin=PASSWORD).returncode == 0
    without = cli("token", "create", "--name", "t", "--role", "leader", "--data-dir", str(data))
    assert without.returncode == 2 and without.stderr
    wrong = cli("token", "create", "--name", "t", "--role", "leader", "--user", "nobody", "--data-dir", str(data))
    assert wrong.returncode == 2 and "nobody" in wrong.stderr
    mismatched = cli("token", "create", "--name", "t", "--role", "leader", "--user", "boss", "--data-dir", str(data))
    assert mismatched.returncode == 2  # boss is an administrator
