"""The citizen's wish pages: ``/w/`` (a phone: what they need, an optional contact, a receipt code),
``/kiosk/<id>/wish`` (the same at a kiosk, sent with its token) and ``/w/<receipt>`` (following it, and
满意 / 不满意 once a member has done it). Plain forms: no script needed on a phone; no CSRF token, as the
survey pages (a kiosk's page stays open longer than a token lives; nobody signed in acts here)."""

from __future__ import annotations

from flask import abort, request
from flask_babel import gettext as _

from liangbiping.admin.client_address import client_address
from liangbiping.admin.errors import DomainError
from liangbiping.admin.extensions import csrf
from liangbiping.admin.models import Window
from liangbiping.admin.services.settings import get_setting
from liangbiping.admin.extensions import db
from liangbiping.admin.wishes import service as wishes

from . import bp
from .pages import citizen_page, follow_page
from .raters import keyed_hash


def _page(template: str, status: int = 200, **context):
    return citizen_page(template, status, hall_name=get_setting("hall_name") or "", **context)


def _window_arg() -> int | None:
    raw = (request.values.get("window") or "").strip()
    return int(raw) if raw.isdigit() and len(raw) < 10 else None


def _form(kiosk_id: int | None):
    """The wish form, and its sending: the receipt code on success, the form with the error otherwise."""
    window_id = _window_arg()
    window = db.session.get(Window, window_id) if window_id else None
    error, status, values = None, 200, {}
    if request.method == "POST":
        form = request.form
        values = {"kind": form.get("kind", "wish"), "text": form.get("text", ""), "contact": form.get("contact", "")}
        try:
            wish = wishes.submit(kind=values["kind"], text=values["text"], contact=values["contact"].strip() or None,
                                 window_id=window.id if window else None, channel="kiosk" if kiosk_id else "web",
                                 kiosk_token=form.get("kiosk_token", "")[:4096] if kiosk_id else None,
                                 address_hash=keyed_hash("a", client_address()))
        except DomainError as exc:
            error, status = exc.message, exc.status
        else:
            from liangbiping.admin.services.settings import public_base_url

            from .state import qr_svg

            link = f"{public_base_url() or request.host_url.rstrip('/')}/w/{wish.receipt}"
            return _page("kiosk/wish_sent.html", wish=wish, kiosk_id=kiosk_id, link=link, qr=qr_svg(link),
                         again=request.path if kiosk_id else None)
    return _page("kiosk/wish.html", status, window=window, error=error, values=values, kiosk_id=kiosk_id,
                 action=request.full_path.rstrip("?"))


@bp.route("/w/", methods=["GET", "POST"])
def wish_phone():
    return _form(None)


@bp.route("/kiosk/<int:kiosk_id>/wish", methods=["GET", "POST"])
def wish_kiosk(kiosk_id: int):
    if kiosk_id >= 2**31:
        abort(404)
    return _form(kiosk_id)


@bp.route("/w/<receipt>", methods=["GET", "POST"])
def wish_receipt(receipt: str):
    """Following a wish: its state and what was done; 满意 / 不满意 once it is done."""
    def render(wish):
        error, status = None, 200
        if request.method == "POST":
            try:
                wishes.confirm(wish, request.form.get("verdict", ""))
            except DomainError as exc:
                db.session.rollback()
                error, status = exc.message, exc.status
        return _page("kiosk/wish_receipt.html", status, wish=wish, error=error)

    return follow_page(wishes.by_receipt, receipt, _("No wish has this receipt code."), render)


csrf.exempt(wish_phone)
csrf.exempt(wish_kiosk)
csrf.exempt(wish_receipt)
