"""Settings, read from the environment with defaults that work for the embedded demo."""

from __future__ import annotations

import os
import secrets
from datetime import timedelta
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


def _flag(name: str, default: bool) -> bool:
    """A yes/no setting from the environment: 1/true/yes/on or 0/false/no/off; unset: ``default``."""
    value = os.environ.get(name, "").strip().lower()
    if not value:
        return default
    if value in ("1", "true", "yes", "on"):
        return True
    if value in ("0", "false", "no", "off"):
        return False
    raise ValueError(f"{name} must be 1 or 0 (true/false, yes/no, on/off), not {value!r}")


def _positive(name: str, default: int) -> int:
    """A whole number above zero from the environment; unset: ``default``."""
    value = os.environ.get(name, "").strip()
    if not value:
        return default
    if not value.isdigit() or int(value) < 1:
        raise ValueError(f"{name} must be a whole number above 0, not {value!r}")
    return int(value)


def _limit(name: str) -> dict:
    """A rate limit from the environment, ``"capacity/per_second"`` (admin/limits.py): {} when unset,
    so the class's default stays; a value that is not two numbers of 0 or more stops the start."""
    value = os.environ.get(f"LIANGBIPING_{name}", "").strip()
    if not value:
        return {}
    parts = value.split("/")
    try:
        numbers = [float(part) for part in parts]
    except ValueError:
        numbers = []
    if len(parts) != 2 or len(numbers) != 2 or any(not 0 <= n < float("inf") for n in numbers):
        raise ValueError(f"LIANGBIPING_{name} must be capacity/per_second, such as 12/0.1, not {value!r}")
    return {name: value}


def _list(name: str) -> tuple[str, ...]:
    """A list from the environment, separated by commas or spaces."""
    return tuple(part for part in os.environ.get(name, "").replace(",", " ").split() if part)


LIMIT_SETTINGS = ("KIOSK_CONNECT_LIMIT", "KIOSK_HEARTBEAT_LIMIT", "KIOSK_REFRESH_LIMIT", "KIOSK_PROMPT_LIMIT",
                  "RATINGS_CONNECT_LIMIT", "RECEIPT_LOOKUP_LIMIT")


class Config:
    """Production defaults. ``from_env`` resolves the parts that depend on the data dir."""

    SQLALCHEMY_ENGINE_OPTIONS: dict = {}
    SQLALCHEMY_TRACK_MODIFICATIONS = False
    WTF_CSRF_TIME_LIMIT = None
    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    # Secure cookies (LIANGBIPING_SECURE_COOKIES; unset: on when LIANGBIPING_PUBLIC_URL is https). A
    # cookie given over HTTPS is marked Secure in any case (admin.app.SessionCookies).
    SESSION_COOKIE_SECURE = False
    REMEMBER_COOKIE_SECURE = False
    REMEMBER_COOKIE_HTTPONLY = True
    # A console sign-in lasts at most this long (LIANGBIPING_SESSION_HOURS), and ends sooner when
    # unused for SESSION_IDLE_MINUTES (LIANGBIPING_SESSION_IDLE_MINUTES): admin.services.sessions.
    # Twelve hours covers a working day with its overtime, so nobody is signed out mid-shift; two
    # idle hours let a window's staff serve a long case between two uses of the console, and close
    # a console left open on a shared desk before the next shift sits down at it.
    PERMANENT_SESSION_LIFETIME = timedelta(hours=12)
    SESSION_IDLE_MINUTES = 120
    # Proxies (IPs or CIDR networks) whose X-Forwarded-For and X-Forwarded-Proto are believed
    # (LIANGBIPING_TRUSTED_PROXIES; none by default): admin.client_address.
    TRUSTED_PROXIES: tuple[str, ...] = ()
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
    TIMING = False  # Server-Timing headers and push rounds' parts in the log (admin/timing.py)
    PUBLIC_URL: str | None = None  # the hall's address in QR codes (LIANGBIPING_PUBLIC_URL; a console setting wins)
    # Sign-in throttling (admin.services.accounts.authenticate; docs/SECURITY.md, "Limits"). One
    # address gets LOGIN_MAX_FAILURES wrong passwords for one account, and LOGIN_ADDRESS_MAX_FAILURES
    # for all accounts together, within LOGIN_LOCK_MINUTES; then that address waits (the account
    # stays open to every other address). An account that failed LOGIN_MAX_FAILURES times anywhere
    # since its last sign-in (within a day) makes each further attempt wait 1, 2, 4 ... seconds
    # after the last failure, at most LOGIN_MAX_DELAY_SECONDS: slow guessing, never a lock-out.
    LOGIN_MAX_FAILURES = 5
    LOGIN_LOCK_MINUTES = 15
    LOGIN_ADDRESS_MAX_FAILURES = 20
    LOGIN_MAX_DELAY_SECONDS = 60
    # Rate limits, "capacity/per_second" (admin/limits.py; LIANGBIPING_<NAME> in the environment;
    # capacity 0 turns one off). Per kiosk token on the /kiosk socket (kiosk/events.py): a kiosk
    # reconnects with a back-off of up to 10 s, sends a heartbeat every 20 s and a refresh every
    # 5 minutes, and its members start a prompt per citizen served; each limit is many times that.
    KIOSK_CONNECT_LIMIT = "20/0.2"
    KIOSK_HEARTBEAT_LIMIT = "10/0.5"
    KIOSK_REFRESH_LIMIT = "10/0.1"
    KIOSK_PROMPT_LIMIT = "12/0.1"  # start_prompt and cancel_prompt together (each is audited)
    # Per console user on the /ratings socket (the live ratings list): one connect per page view.
    RATINGS_CONNECT_LIMIT = "30/0.5"
    # Per address on the receipt page /s/<receipt>: a hall's Wi-Fi puts many citizens behind one.
    RECEIPT_LOOKUP_LIMIT = "30/0.5"
    PHOTO_MAX_BYTES = 10 * 1024 * 1024
    # Photos (ID photos, ledger evidence) with more pixels are refused before decoding (admin.services.photos);
    # 6000 x 6600 still passes. docs/SECURITY.md, "Heavy uploads".
    PHOTO_MAX_PIXELS = 40_000_000
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
        public_url = os.environ.get("LIANGBIPING_PUBLIC_URL") or None
        secure = _flag("LIANGBIPING_SECURE_COOKIES", (public_url or "").lower().startswith("https://"))
        return {
            "SECRET_KEY": _secret_key(root),
            "SQLALCHEMY_DATABASE_URI": os.environ.get("DATABASE_URL") or f"sqlite:///{root / 'liangbiping.db'}",
            "SOCKETIO_MESSAGE_QUEUE": os.environ.get("REDIS_URL") or None,
            "HALL_TIMEZONE": os.environ.get("LIANGBIPING_TIMEZONE") or cls.HALL_TIMEZONE,
            "PUBLIC_URL": public_url,
            "SESSION_COOKIE_SECURE": secure,
            "REMEMBER_COOKIE_SECURE": secure,
            "PERMANENT_SESSION_LIFETIME": timedelta(hours=_positive("LIANGBIPING_SESSION_HOURS", 12)),
            "SESSION_IDLE_MINUTES": _positive("LIANGBIPING_SESSION_IDLE_MINUTES", cls.SESSION_IDLE_MINUTES),
            "TRUSTED_PROXIES": _list("LIANGBIPING_TRUSTED_PROXIES"),
            "TIMING": _flag("LIANGBIPING_TIMING", False),
            "LOGIN_ADDRESS_MAX_FAILURES": _positive("LIANGBIPING_LOGIN_ADDRESS_MAX_FAILURES",
                                                    cls.LOGIN_ADDRESS_MAX_FAILURES),
            "LOGIN_MAX_DELAY_SECONDS": _positive("LIANGBIPING_LOGIN_MAX_DELAY_SECONDS", cls.LOGIN_MAX_DELAY_SECONDS),
            **{name: value for setting in LIMIT_SETTINGS for name, value in _limit(setting).items()},
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
