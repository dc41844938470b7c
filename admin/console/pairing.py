"""Console: pair a fresh kiosk or screen by the 6-character code it shows (the generic pairing service)."""

from __future__ import annotations

from flask import flash, g, redirect, render_template, request, url_for
from flask_babel import gettext as _
from sqlalchemy import select

from ..errors import DomainError
from ..extensions import db
from ..models import Window
from ..services import pairing as pairing_service
from . import bp
from .access import roles_required


@bp.route("/pair", methods=["GET", "POST"])
@roles_required("admin")  # devices are the hall administrator's, as in the API
def pairing():
    windows = db.session.scalars(select(Window).order_by(Window.number)).all()
    form = {"kind": request.args.get("kind", "kiosk"), "code": "", "name": "", "window_id": "", "screen_kind": "hall"}
    if request.method == "POST":
        form = {k: (request.form.get(k) or "").strip() for k in ("kind", "code", "name", "window_id", "screen_kind")}
        kind = form["kind"] if form["kind"] in ("kiosk", "screen") else "kiosk"
        data = {"name": form["name"], "window_id": int(form["window_id"]) if form["window_id"].isdigit() else None}
        if kind == "screen":
            data["kind"] = form["screen_kind"] if form["screen_kind"] in ("hall", "window") else "hall"
        code = form["code"].upper()
        if len(code) != 6 or not code.isalnum():
            flash(_("The code has 6 letters and digits, as shown on the device."), "error")
        else:
            try:
                device = pairing_service.claim(kind, code, data, g.actor)
            except DomainError as exc:
                db.session.rollback()
                flash(exc.message, "error")
            else:
                flash(_("Paired %(name)s. The device starts by itself within a few seconds.", name=device.name), "success")
                return redirect(url_for("console.pairing", kind=kind))
    return render_template("console/feedback/pairing.html", windows=windows, form=form)
