"""The rating kiosk, the phone rating page, badge QR codes and the suggestion box (群众评议).

Pages: ``/kiosk/`` (a fresh kiosk's pairing code), ``/kiosk/<id>`` (the touch kiosk),
``/q/<token>`` (the phone page a badge or kiosk QR code opens), ``/s/<receipt>`` (a citizen's
view of their suggestion and the hall's reply).
"""

from flask import Blueprint

bp = Blueprint("kiosk", __name__, template_folder="templates")

from . import events, follow_pages, pages, survey_pages, wish_pages  # noqa: E402,F401 - views and socket handlers register on import
