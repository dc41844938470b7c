"""The words of a rating: its levels, reasons, flags and channels, and its call-back number masked.

They sit below the models, which show them (``Rating.contact_masked``); the kiosk, the phone page,
the console and the reports all read them from here.
"""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

SCORES = {5: _l("Very satisfied"), 4: _l("Satisfied"), 3: _l("Basically satisfied"),
          2: _l("Dissatisfied"), 1: _l("Very dissatisfied")}
REASONS = {
    "attitude": _l("Poor attitude"),
    "slow": _l("Too slow"),
    "unfamiliar": _l("Unfamiliar with the business"),
    "repeat_trips": _l("Had to come back many times"),
    "facilities": _l("Environment and facilities"),
    "other": _l("Other"),
}
FLAGS = {
    "repeat_press": _l("Pressed again at the same kiosk within 3 seconds"),
    "repeat_address": _l("Same address rated this member within 24 hours"),
}
CHANNELS = {"kiosk": _l("Kiosk"), "qr": _l("QR code"), "web": _l("Web"), "device": _l("Evaluator device")}


def score_label(score: int) -> str:
    return str(SCORES.get(score, score))


def reason_label(code: str) -> str:
    """The reason's name; a code the kiosk does not know (older data, imports) is shown as it is."""
    label = REASONS.get(code)
    return str(label) if label is not None else str(code)


def mask_contact(contact: str | None) -> str | None:
    """138****5678: enough to recognise, not enough to call."""
    if not contact:
        return None
    if len(contact) <= 7:
        return "*" * len(contact)
    return contact[:3] + "*" * (len(contact) - 7) + contact[-4:]
