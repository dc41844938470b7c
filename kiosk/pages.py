"""The kiosk's pages and JSON helpers, the phone page and the suggestion receipt page."""

from __future__ import annotations

from flask import abort, make_response, render_template, request, url_for
from flask_babel import gettext as _

from liangbiping.admin.client_address import client_address
from liangbiping.admin.errors import DomainError, TooManyRequests, error_response
from liangbiping.admin.extensions import db
from liangbiping.admin.limits import SettingBuckets
from liangbiping.admin.models import Staff, Window
from liangbiping.admin.models.rating_terms import REASONS, SCORES

from . import bp
from .raters import set_rater_cookie
from .state import floor_windows, member_card, on_duty_members, window_card


def ui_strings() -> dict:
    """Every text the kiosk and phone scripts show, translated for the request's language."""
    return {
        "scores": {str(k): str(v) for k, v in SCORES.items()},
        "reasons": {k: str(v) for k, v in REASONS.items()},
        "question": _("How satisfied are you with this service?"),
        "thanks": _("Thank you for your rating!"),
        "thanks_sub": _("Your opinion helps us serve better."),
        "back_in": _("Back to start in %(n)s s"),
        "why": _("Please tell us what went wrong"),
        "send": _("Submit rating"),
        "offline": _("Offline"),
        "queued": _("%(n)s waiting to upload"),
        "online": _("Online"),
        "speak_rate": _("Please rate our service"),
        "speak_thanks": _("Thank you for your rating"),
        "pick_window": _("Choose the window that served you"),
        "pick_member": _("Choose the member who served you"),
        "rate_window": _("Rate the window"),
        "no_member": _("No member is on duty at this window; you are rating the window."),
        "prompt_for": _("Rating for this service"),
        "case_no": _("Case no."),
        "receipt": _("Your receipt code"),
        "receipt_hint": _("Scan to follow the reply, or visit"),
        "error": _("Something went wrong. Please try again."),
        "already": _("This service has already been rated. Thank you."),
        "sent_suggestion": _("Thank you. We have received it."),
        "too_many": _("Please wait a moment and try again."),
        "prompt_started": _("Rating request started"),
        "no_member_on_duty": _("No member is on duty here."),
        "tap_your_name": _("Tap your name first."),
        "pair_waiting": _("%(n)s ratings taken on this kiosk wait here; they are uploaded as soon as it is paired again."),
        "party_member": _("Party member"),
        "window_n": _("Window %(n)s"),
        "kiosk": _("Rating kiosk"),
        "not_paired": _("This kiosk is not paired. Open /kiosk/ on it to show a pairing code."),
        "offline_suggest": _("The suggestion box needs a connection. Please try again in a moment."),
        "choose_level": _("Please choose a level first."),
        "no_windows": _("This hall has no windows to rate yet."),
        "survey_entry": _("Take the survey"),
        "wish_entry": _("Wishes and errands"),
        "wish_entry_sub": _("Stuck with something? Tell us, a member will help."),
    }


# --- pairing --------------------------------------------------------------------------------

@bp.get("/kiosk/")
def pair_page():
    """A fresh kiosk: shows a pairing code until an administrator pairs it (or its saved token works)."""
    config = {"kind": "kiosk", "openUrl": url_for("public.pair_open", kind="kiosk"),
              "collectUrl": url_for("public.pair_collect", kind="kiosk"),
              "deviceUrl": url_for("kiosk.kiosk_page", kiosk_id=0).rsplit("/", 1)[0] + "/",
              "labels": {"expires": _("Waiting to be paired…"), "done": _("Paired. Starting…"),
                         "offline": _("Cannot reach the server; retrying…"),
                         "waiting": ui_strings()["pair_waiting"]}}
    return render_template("kiosk/pair.html", config=config)


# --- the kiosk ------------------------------------------------------------------------------

@bp.get("/kiosk/<int:kiosk_id>")
def kiosk_page(kiosk_id: int):
    """The touch kiosk. The page holds no data: it connects with its token and renders ``state``."""
    if kiosk_id >= 2**31:
        abort(404)
    return render_template("kiosk/kiosk.html", kiosk_id=kiosk_id, strings=ui_strings())


# --- the phone page -------------------------------------------------------------------------

def _token_error(exc: DomainError):
    """A citizen's page for a refused code: its status (401 for a code that is not ours, 410
    expired, 429 too many tries), its headers (Retry-After); the error shape for a script."""
    if request.is_json or request.accept_mimetypes.best == "application/json":
        return error_response(exc)
    response = make_response(render_template("kiosk/token_error.html", message=exc.message, status=exc.status),
                             exc.status)
    response.headers.update(exc.headers)
    response.headers["Cache-Control"] = "no-store"
    return response


def phone_windows() -> list[dict]:
    """The hall's windows, each with the members on duty there, for a floor kiosk's phone code:
    the floor kiosk's own list (kiosk.state.floor_windows) without the members who are away."""
    return [dict(w, members=[m for m in w["members"] if m["on_duty"]]) for w in floor_windows()]


@bp.get("/q/<token>")
def phone(token: str):
    """What a badge, prompt or kiosk QR code opens: the member's card and the five levels.
    A floor kiosk's code first lets the citizen pick the window and the member on duty there."""
    from .sources import resolve_source

    try:
        src = resolve_source(None, token)
    except DomainError as exc:
        return _token_error(exc)
    staff = db.session.get(Staff, src.staff_id) if src.staff_id else None
    window = db.session.get(Window, src.window_id) if src.window_id else None
    windows = None
    if src.token.kind == "kiosk" and window is None:
        # A kiosk on the floor stands at no window: the citizen picks the window, then the member.
        windows = phone_windows()
    elif staff is None and src.token.kind == "kiosk":
        # A kiosk at a window: its member on duty, or with two on duty the citizen picks theirs.
        members = on_duty_members(window.id)
        if len(members) == 1:
            staff = members[0]
        elif members:
            windows = [dict(window_card(window), members=[member_card(m) for m in members])]
    context = {
        "token": token,
        "member": member_card(staff, with_pledge=True) if staff else None,
        "window": window_card(window),
        "windows": windows,
        "case_no": src.prompt.case_no if src.prompt else "",
        "prompted": src.prompt is not None,
        "strings": ui_strings(),
        "reasons": REASONS, "scores": SCORES,
    }
    response = make_response(render_template("kiosk/phone.html", **context))
    response.headers["Cache-Control"] = "no-store"
    response.headers["Referrer-Policy"] = "no-referrer"
    return set_rater_cookie(response)


# --- the suggestion receipt page ------------------------------------------------------------

# Per address (admin.client_address: the client behind a trusted proxy): receipt codes cannot be
# tried one after another; a hall's Wi-Fi with many citizens behind one address still fits.
receipt_limiter = SettingBuckets("RECEIPT_LOOKUP_LIMIT", "30/0.5")


def citizen_page(template: str, http_status: int = 200, **context):
    """A page of a citizen's own (a receipt, a survey, a wish): never cached, and its address (which
    holds the code) never sent on as a referrer."""
    response = make_response(render_template(template, **context), http_status)
    response.headers["Cache-Control"] = "no-store"
    response.headers["Referrer-Policy"] = "no-referrer"
    return response


def follow_page(find, code: str, missing: str, render):
    """The page a receipt or follow code opens: codes cannot be tried one after another from one
    address (``receipt_limiter``); an unknown one is a 404 saying ``missing``; else ``render(found)``."""
    wait = receipt_limiter.take(client_address() or "?")
    if wait:
        return _token_error(TooManyRequests(_("Too many requests. Please wait a moment."), retry_after=wait))
    found = find(code)
    if found is None:
        return citizen_page("kiosk/token_error.html", 404, status=404, message=missing)
    return render(found)


@bp.get("/s/<receipt>")
def receipt(receipt: str):
    """A citizen follows their suggestion: its status and the hall's reply (nothing personal shown)."""
    from liangbiping.admin.ledger.service import ledger_progress_for_suggestion

    from .suggestions import by_receipt

    return follow_page(by_receipt, receipt, _("No suggestion has this receipt code."),
                       lambda item: citizen_page("kiosk/receipt.html", item=item,
                                                 steps=ledger_progress_for_suggestion(item.id)))
