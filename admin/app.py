"""The app factory: one Flask app serving the console, the API, screens, kiosks and phones."""

from __future__ import annotations

import logging
from pathlib import Path

from flask import Flask, abort, has_request_context, jsonify, request, session
from flask.sessions import SecureCookieSessionInterface
from sqlalchemy.exc import DBAPIError, InterfaceError, OperationalError
from werkzeug.exceptions import HTTPException

from liangbiping import assets

from . import client_address, security_headers, timing
from . import models  # noqa: F401 - registers every table before migrations run
from .config import Config
from .extensions import babel, csrf, db, login_manager, socketio

log = logging.getLogger(__name__)
FORM_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")


def create_app(settings: dict | None = None) -> Flask:
    """Build the app from a settings dict (``Config.from_env()`` when none is given)."""
    app = Flask(__name__, static_folder=str(Path(assets.__file__).parent), static_url_path="/assets")
    app.config.from_mapping(settings or Config.from_env())
    configure_extensions(app)
    configure_blueprints(app)
    configure_errors(app)
    configure_templates(app)
    security_headers.init_app(app)  # nosniff, Referrer-Policy, CSP and framing on every response
    client_address.init_app(app)  # X-Forwarded-For believed only from LIANGBIPING_TRUSTED_PROXIES
    timing.init_app(app)  # Server-Timing and the push rounds' parts, with LIANGBIPING_TIMING=1
    if not app.config.get("SKIP_MIGRATIONS"):
        from .database import migrate

        migrate(app)
    return app


def select_locale() -> str:
    """``?lang=`` (remembered in the session), then the session, then the browser, else Chinese."""
    supported = {"zh": "zh_Hans_CN", "zh_Hans_CN": "zh_Hans_CN", "en": "en"}
    if not has_request_context():  # the CLI, jobs, push rounds: the hall's language
        return "zh_Hans_CN"
    asked = request.args.get("lang")
    if asked in supported:
        session["lang"] = supported[asked]
    if session.get("lang") in supported.values():
        return session["lang"]
    if request.path.startswith("/api/"):
        best = request.accept_languages.best_match(["zh", "en"])
        return "en" if best == "en" else "zh_Hans_CN"
    return "zh_Hans_CN"


class SessionCookies(SecureCookieSessionInterface):
    """Flask's signed-cookie sessions, with the signer built once instead of on every request
    (it showed up in the rating intake's profile, where most requests carry no cookie at all)."""

    def get_signing_serializer(self, app):
        signer = app.extensions.get("session_signer")
        if signer is None:
            signer = app.extensions["session_signer"] = super().get_signing_serializer(app)
        return signer

    def get_cookie_secure(self, app) -> bool:
        """Secure when LIANGBIPING_SECURE_COOKIES says so, and whenever the cookie goes out over HTTPS
        (directly, or through a trusted proxy: admin.client_address)."""
        return super().get_cookie_secure(app) or (has_request_context() and request.is_secure)


def configure_extensions(app: Flask) -> None:
    from . import database
    from .campaign import follow_writes
    from .integration import outbox

    app.session_interface = SessionCookies()
    database.init_app(app)  # the SQLite pragmas
    db.init_app(app)
    follow_writes.init_app(app)  # the rollups and the ledger follow every write (docs/CAMPAIGN.md)
    outbox.init_app(app)  # events for other systems, in the transaction of their change (docs/INTEGRATION.md)
    csrf.init_app(app)
    babel.init_app(app, locale_selector=select_locale, default_translation_directories="translations")
    login_manager.init_app(app)
    login_manager.login_view = "console.login"
    login_manager.login_message = None
    # Socket.IO handlers declared after the first init_app bind only to that app's server, so
    # a second app (tests, the scheduler process) would lose them: declare them all first.
    import liangbiping.display.events  # noqa: F401
    import liangbiping.kiosk.events  # noqa: F401

    from .push.rooms import IndexedManager

    queue = {"client_manager": IndexedManager()}  # rooms of a socket found without walking them all
    url = app.config.get("SOCKETIO_MESSAGE_QUEUE")
    if url and str(url).startswith(("redis://", "rediss://")):
        from .push.queue import RedisQueue

        # Listens again within a second of Redis coming back, and has the screens catch up.
        queue["client_manager"] = RedisQueue(url, channel="flask-socketio")
    elif url:
        del queue["client_manager"]  # another kind of queue: python-socketio's own manager for it
    from .push.wire import JsonPacket

    socketio.init_app(
        app,
        async_mode=app.config["SOCKETIO_ASYNC_MODE"],
        message_queue=url,
        **queue,
        cors_allowed_origins=app.config.get("SOCKETIO_CORS_ORIGINS"),
        max_http_buffer_size=64 * 1024,
        serializer=JsonPacket,
        # A socket's events in order, on its own reader: every handler is short, and a greenlet
        # started for each of the thousands of acks after a push cost more than the ack.
        async_handlers=False,
    )
    from liangbiping.display.events import bind_plain_events

    bind_plain_events(socketio.server, app)  # screens' acks without a request context each
    from liangbiping.kiosk.events import KioskNeighbour
    from liangbiping.kiosk.sources import forget_kiosks, forget_kiosk_routes

    from .integration.outbox import forget_subscriptions
    from .ledger.autoopen import forget_zone
    from .push import PushHub, hub, revocation

    PushHub(app).attach(KioskNeighbour())  # kiosks hear of hall changes, window screens get their codes
    revocation.on_revoke(forget_kiosks)  # a revoked kiosk's token stops rating at once
    # What other caches hold, forgotten in every process when it changes (docs/ARCHITECTURE.md, "Caches").
    hub.on_change({"kiosks"}, forget_kiosk_routes)  # a kiosk moved to another window
    hub.on_change({"webhook_endpoints"}, forget_subscriptions)  # which events are written to the outbox
    hub.on_change({"settings"}, forget_zone)  # the hall's zone, read for every rating


def configure_blueprints(app: Flask) -> None:
    from .api import bp as api_bp
    from .console import bp as console_bp
    from .public import bp as public_bp

    app.register_blueprint(public_bp)
    app.register_blueprint(api_bp)
    app.register_blueprint(console_bp)
    from liangbiping.kiosk import bp as kiosk_bp

    app.register_blueprint(kiosk_bp)
    from liangbiping.display import bp as display_bp

    app.register_blueprint(display_bp)
    # The API authenticates with bearer tokens, never cookies, so CSRF does not apply.
    csrf.exempt(api_bp)


def configure_errors(app: Flask) -> None:
    from .errors import DomainError, error_body, error_response

    @app.before_request
    def refuse_nul():
        """No database stores a NUL character (PostgreSQL refuses the whole query): a path holding
        one names nothing that exists, and a query or form field holding one is invalid. Refused
        here, before any view compares it with a column. (JSON bodies: admin.validation.) The API
        reads no forms: its raw uploads must keep their bodies unparsed."""
        if "\x00" in request.path:
            abort(404)
        forms = request.mimetype in FORM_TYPES and not request.path.startswith("/api/")
        for fields in (request.args, request.form if forms else {}):
            for key in fields:  # a multipart part without a name has the key None
                if "\x00" in (key or "") or any("\x00" in value for value in fields.getlist(key)):
                    from flask_babel import gettext as _

                    from .errors import Invalid

                    raise Invalid(_("Text may not contain NUL characters."), field=(key or "").replace("\x00", "") or None)

    def wants_json() -> bool:
        """The API, the health check, and scripts that send or ask for JSON (pairing, badge jobs)."""
        return (request.path.startswith(("/api/", "/pair/")) or request.path == "/healthz" or request.is_json
                or request.accept_mimetypes.best == "application/json")

    @app.errorhandler(DomainError)
    def domain_error(exc: DomainError):
        if wants_json():
            return error_response(exc)
        from flask import render_template

        return render_template("errors/error.html", status=exc.status, message=exc.message), exc.status, exc.headers

    @app.errorhandler(HTTPException)
    def http_error(exc: HTTPException):
        from flask import render_template
        from flask_babel import gettext as _

        messages = {
            400: _("The request could not be understood."),
            401: _("Please sign in."),
            403: _("You are not allowed to do this."),
            404: _("Not found."),
            405: _("This method is not allowed here."),
            413: _("The upload is too large."),
            429: _("Too many requests. Please wait a moment."),
        }
        message = messages.get(exc.code, exc.description or exc.name)
        # What the exception says about itself (a 405's Allow, a 416's Content-Range), not its body type.
        headers = [(name, value) for name, value in exc.get_headers() if name.lower() != "content-type"]
        if exc.code == 400 and "CSRF" in (exc.description or ""):
            message = _("The form expired. Please go back, reload the page and try again.")
        if wants_json():
            return jsonify(error_body(exc.name.lower().replace(" ", "_"), message)), exc.code, headers
        return render_template("errors/error.html", status=exc.code, message=message), exc.code, headers

    @app.errorhandler(DBAPIError)
    def database_error(exc: DBAPIError):
        """The database is away (restarted, unreachable): 503 in the error shape, to try again.
        The transaction was not committed, so nothing of the request is stored."""
        if not (isinstance(exc, (OperationalError, InterfaceError)) or exc.connection_invalidated):
            return unexpected(exc)
        from flask import render_template
        from flask_babel import gettext as _

        log.warning("database unavailable on %s %s: %s", request.method, request.path, str(exc).splitlines()[0][:200])
        try:
            db.session.rollback()
        except Exception:  # noqa: BLE001 - the connection is gone; the pool makes a new one next time
            pass
        message = _("The database is unavailable. Please try again in a moment.")
        headers = {"Retry-After": "5", "Cache-Control": "no-store"}
        if wants_json():
            return jsonify(error_body("database_unavailable", message)), 503, headers
        return render_template("errors/error.html", status=503, message=message), 503, headers

    @app.errorhandler(Exception)
    def unexpected(exc: Exception):
        log.exception("unhandled error on %s %s", request.method, request.path)
        db.session.rollback()
        if wants_json():
            return jsonify(error_body("internal_error", "internal error")), 500
        from flask import render_template

        return render_template("errors/error.html", status=500, message="Internal error"), 500


def configure_templates(app: Flask) -> None:
    from .console.access import nav_items
    from .timefmt import localtime

    app.jinja_env.filters["localtime"] = localtime
    from flask_babel import get_locale

    from .services import audit_labels
    from .services.settings import public_base_url, public_url_problem

    app.jinja_env.globals["console_nav"] = nav_items
    app.jinja_env.globals["public_url_problem"] = public_url_problem
    app.jinja_env.globals["public_base_url"] = public_base_url
    app.jinja_env.globals["audit"] = audit_labels
    app.jinja_env.globals["get_locale"] = get_locale
    app.jinja_env.add_extension("jinja2.ext.do")
