"""Settings, read from the environment with defaults that work for the embedded demo."""

from __future__ import annotations

import os
import secrets
from pathlib import Path


def _data_dir() -> Path:
    return Path(os.environ.get("LIANGBIPING_DATA_DIR", "./liangbiping-data")).resolve()


def _secret_key(data_dir: Path, from_environment: bool = True) -> str:
    """SECRET_KEY from the environment, else one generated once and kept in the data dir."""
    if from_environment and os.environ.get("SECRET_KEY"):
        return os.environ["SECRET_KEY"]
    path = data_dir / "secret_key"
    if path.exists():
        return path.read_text().strip()
    data_dir.mkdir(parents=True, exist_ok=True)
    key = secrets.token_hex(32)
    # O_EXCL: two processes starting together must not each write a different key.
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return path.read_text().strip()
    with os.fdopen(fd, "w") as fh:
        fh.write(key)
    return key


class Config:
    """Production defaults. ``from_env`` resolves the parts that depend on the data dir."""

    SQLALCHEMY_ENGINE_OPTIONS: dict = {}
    SQLALCHEMY_TRACK_MODIFICATIONS = False
    WTF_CSRF_TIME_LIMIT = None
    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    REMEMBER_COOKIE_HTTPONLY = True
    MAX_CONTENT_LENGTH = 12 * 1024 * 1024
    BABEL_DEFAULT_LOCALE = "zh_Hans_CN"
    BABEL_DEFAULT_TIMEZONE = "Asia/Shanghai"
    LANGUAGES = ("zh_Hans_CN", "en")
    HALL_TIMEZONE = "Asia/Shanghai"
    SOCKETIO_ASYNC_MODE = "gevent"
    SOCKETIO_MESSAGE_QUEUE: str | None = None
    SOCKETIO_CORS_ORIGINS: list[str] | None = None  # same origin only
    RUN_SCHEDULER = False
    PUSH_WORKER = True  # rounds after commits run in a background worker
    PUBLIC_URL: str | None = None  # the hall's address in QR codes (LIANGBIPING_PUBLIC_URL; a console setting wins)
    LOGIN_MAX_FAILURES = 5
    LOGIN_LOCK_MINUTES = 15
    PHOTO_MAX_BYTES = 10 * 1024 * 1024
    TESTING = False

    @classmethod
    def from_env(cls, data_dir: str | os.PathLike | None = None, **overrides) -> dict:
        """A plain settings dict for ``create_app``."""
        root = Path(data_dir).resolve() if data_dir else _data_dir()
        root.mkdir(parents=True, exist_ok=True)
        settings = {k: getattr(cls, k) for k in dir(cls) if k.isupper()}
        settings["DATA_DIR"] = str(root)
        settings.update(cls.environment(root))
        settings.update(overrides)
        return settings

    @classmethod
    def environment(cls, root: Path) -> dict:
        """The settings that come from the environment, or from the data dir at ``root``."""
        return {
            "SECRET_KEY": _secret_key(root),
            "SQLALCHEMY_DATABASE_URI": os.environ.get("DATABASE_URL") or f"sqlite:///{root / 'liangbiping.db'}",
            "SOCKETIO_MESSAGE_QUEUE": os.environ.get("REDIS_URL") or None,
            "HALL_TIMEZONE": os.environ.get("LIANGBIPING_TIMEZONE") or cls.HALL_TIMEZONE,
            "PUBLIC_URL": os.environ.get("LIANGBIPING_PUBLIC_URL") or None,
        }


class TestingConfig(Config):
    """Tests: own temporary data dir, threading mode, no message queue, no scheduler.

    Nothing comes from the environment: a test run on a server whose shell exports a production
    ``DATABASE_URL``, ``REDIS_URL`` or ``SECRET_KEY`` must not touch that database or queue.
    A test that wants PostgreSQL or Redis passes it as an override.
    """

    TESTING = True
    SOCKETIO_ASYNC_MODE = "threading"
    SOCKETIO_MESSAGE_QUEUE = None
    LOGIN_MAX_FAILURES = 5
    PUSH_WORKER = False  # tests call ``hub.round()`` themselves, or use a real server

    @classmethod
    def environment(cls, root: Path) -> dict:
        return {"SECRET_KEY": _secret_key(root, from_environment=False),
                "SQLALCHEMY_DATABASE_URI": f"sqlite:///{root / 'liangbiping.db'}"}
