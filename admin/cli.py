"""The ``liangbiping`` command: serve, demo, create-admin, token create, scheduler."""

from __future__ import annotations

import argparse
import os
import sys


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="liangbiping", description="亮比评 service hall screens, kiosks and console")
    sub = parser.add_subparsers(dest="command", required=True)

    def server_args(p):
        p.add_argument("--host", default="127.0.0.1")
        p.add_argument("--port", type=int, default=8000)
        p.add_argument("--data-dir", default=None, help="default ./liangbiping-data or $LIANGBIPING_DATA_DIR")
        p.add_argument("--no-scheduler", action="store_true",
                       help="leave scheduled jobs to a separate `liangbiping scheduler` process")

    server_args(sub.add_parser("serve", help="run the production server (HTTP + Socket.IO + scheduler)"))
    server_args(sub.add_parser("demo", help="seed a demo hall into an empty data dir, then serve it"))

    admin = sub.add_parser("create-admin", help="create or reset an administrator")
    admin.add_argument("username")
    admin.add_argument("--password-stdin", action="store_true", required=True,
                       help="read the password from standard input")
    admin.add_argument("--data-dir", default=None)

    token = sub.add_parser("token", help="API tokens")
    token_sub = token.add_subparsers(dest="token_command", required=True)
    create = token_sub.add_parser("create", help="print a new API token on the last line")
    create.add_argument("--name", required=True)
    create.add_argument("--role", required=True, choices=["admin", "leader", "staff", "integration"])
    create.add_argument("--user", default=None, help="the user a leader or staff token acts for (their scope)")
    create.add_argument("--data-dir", default=None)

    sched = sub.add_parser("scheduler", help="run only the scheduled jobs (when several servers share a database)")
    sched.add_argument("--data-dir", default=None)
    return parser


def _settings(args, **overrides) -> dict:
    from .config import Config

    data_dir = args.data_dir or os.environ.get("LIANGBIPING_DATA_DIR")
    return Config.from_env(data_dir, **overrides)


def missing_data_dir(args) -> str | None:
    """Why ``create-admin`` or ``token create`` must not run here, or None.

    Run in some folder without naming a data dir, they would otherwise make an empty
    ./liangbiping-data and put an administrator or a token into a hall nobody serves. A data dir
    named with --data-dir or LIANGBIPING_DATA_DIR is meant: it is created when new.
    """
    from pathlib import Path

    if args.data_dir or os.environ.get("LIANGBIPING_DATA_DIR") or os.environ.get("DATABASE_URL"):
        return None
    root = Path("./liangbiping-data").resolve()
    if (root / "liangbiping.db").exists():
        return None
    if terminal_language() == "en":
        return (f"error: there is no Liangbiping data dir here (looked for {root}). Run this in the folder that "
                f"holds liangbiping-data, or name it with --data-dir or LIANGBIPING_DATA_DIR.")
    return (f"错误：此处没有亮比评数据目录（查找的是 {root}）。请在存放 liangbiping-data 的目录下运行，"
            f"或用 --data-dir 或 LIANGBIPING_DATA_DIR 指明数据目录。")


def terminal_language() -> str:
    """"en" when the terminal's locale is English, else "zh" (the hall's language)."""
    for name in ("LC_ALL", "LC_MESSAGES", "LANG"):
        value = os.environ.get(name, "")
        if value:
            return "en" if value.lower().startswith("en") else "zh"
    return "zh"


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    if args.command in ("serve", "demo"):
        # Must come before Flask, SQLAlchemy or threading are imported: the server runs on gevent.
        from gevent import monkey

        monkey.patch_all()
        from . import db_wait
        from .server import serve

        db_wait.install()

        return serve(_settings(args, RUN_SCHEDULER=not args.no_scheduler), args.host, args.port,
                     demo=args.command == "demo")
    if args.command == "scheduler":
        from .jobs import run_forever

        return run_forever(_settings(args))

    problem = missing_data_dir(args)
    if problem:
        print(problem, file=sys.stderr)
        return 2
    from .app import create_app
    from .errors import DomainError

    app = create_app(_settings(args, SOCKETIO_ASYNC_MODE="threading", SOCKETIO_MESSAGE_QUEUE=None))
    # A request context, not only an app context: the services' messages go through flask_babel,
    # whose locale selector reads the request. The terminal's language picks Chinese or English.
    with app.test_request_context(f"/?lang={terminal_language()}"):
        try:
            if args.command == "create-admin":
                if sys.stdin.isatty():  # typed by hand: do not echo it
                    import getpass

                    password = getpass.getpass("password: ")
                else:
                    password = sys.stdin.readline().rstrip("\r\n")
                from .services.accounts import create_or_reset_admin

                user = create_or_reset_admin(args.username, password)
                print(f"administrator {user.username} is ready")
            elif args.command == "token":
                from sqlalchemy import select

                from .extensions import db
                from .models import User
                from .services.accounts import create_token

                user = None
                if args.user:
                    user = db.session.scalar(select(User).where(User.username == args.user))
                    if user is None:
                        print(f"error: no user named {args.user}", file=sys.stderr)
                        return 2
                token, secret = create_token(args.name, args.role, actor="cli", user=user)
                print(f"token {token.id} ({token.name}, {token.role}); it is shown only now:")
                print(secret)
        except DomainError as exc:
            print(f"error: {exc.message}", file=sys.stderr)
            return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
