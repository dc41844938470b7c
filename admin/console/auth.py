"""Signing in and out of the console."""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _

from ..client_address import client_address
from ..errors import TooManyRequests
from ..extensions import db, login_manager
from ..models import User
from ..services import accounts, sessions
from . import bp


@login_manager.user_loader
def load_user(session_id: str):
    user_id, _sep, version = session_id.partition(":")
    if not user_id.isdigit() or not version.isdigit():
        return None
    user = db.session.get(User, int(user_id))
    # A password change bumps session_version, which ends every other session of the user; and a
    # cookie counts only while the server still holds its session (signing out deletes it).
    if user is None or user.session_version != int(version) or not user.active or not sessions.valid_for(user):
        return None
    return user


def _safe_next(target: str | None) -> str:
    if target and target.startswith("/admin") and not urlsplit(target).netloc and "//" not in target:
        return target
    return url_for("console.dashboard")


@bp.route("/login", methods=["GET", "POST"])
def login():
    error = None
    status = 200
    headers = {}
    if request.method == "POST":
        try:
            # Throttled per address and slowed per account, never locked (accounts.login_wait).
            user = accounts.authenticate(request.form.get("username", ""), request.form.get("password", ""),
                                         client_address() or "unknown")
        except TooManyRequests as exc:
            user, error, status, headers = None, exc.message, 429, exc.headers
        else:
            if user is None:
                error, status = _("Wrong username or password."), 401
        if user is not None:
            sessions.begin(user)
            return redirect(_safe_next(request.args.get("next")))
    return render_template("console/login.html", error=error,
                           username=request.form.get("username", "")), status, headers


@bp.post("/logout")
def logout():
    sessions.end()
    flash(_("You have signed out."), "info")
    return redirect(url_for("console.login"))
