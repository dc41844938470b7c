"""Creating screens and kiosks through the API: the device token is in the answer, once."""

from __future__ import annotations

from flask import g

from ..catalog import KIOSKS, SCREENS
from ..schemas import KioskIn, KioskOut, KioskPairIn, KioskCreated, ScreenCreated, ScreenIn, ScreenOut, ScreenPairIn
from ..services import pairing
from ..services.devices import create_device
from .framework import endpoint


@endpoint("/screens", "POST", summary="Create a screen", tag="screens", roles=SCREENS.write_roles,
          body=ScreenIn, response=ScreenCreated, status=201, name="screens_create")
def create_screen(body):
    """The answer carries the screen's token this once; it is stored hashed."""
    device, secret = create_device(SCREENS, body.model_dump(exclude_unset=True), g.actor)
    device.token = secret
    return device


@endpoint("/kiosks", "POST", summary="Create a kiosk", tag="kiosks", roles=KIOSKS.write_roles,
          body=KioskIn, response=KioskCreated, status=201, name="kiosks_create")
def create_kiosk(body):
    """The answer carries the kiosk's token this once; it is stored hashed."""
    device, secret = create_device(KIOSKS, body.model_dump(exclude_unset=True), g.actor)
    device.token = secret
    return device


@endpoint("/screens/pair", "POST", summary="Pair a screen by the code it shows", tag="screens",
          roles=SCREENS.write_roles, body=ScreenPairIn, response=ScreenOut, status=201, name="screens_pair")
def pair_screen(body):
    """The screen's own browser collects its token; a wrong or expired code is a 404."""
    data = body.model_dump(exclude_unset=True)
    return pairing.claim("screen", data.pop("code"), data, g.actor)


@endpoint("/kiosks/pair", "POST", summary="Pair a kiosk by the code it shows", tag="kiosks",
          roles=KIOSKS.write_roles, body=KioskPairIn, response=KioskOut, status=201, name="kiosks_pair")
def pair_kiosk(body):
    """The kiosk's own browser collects its token; a wrong or expired code is a 404."""
    data = body.model_dump(exclude_unset=True)
    return pairing.claim("kiosk", data.pop("code"), data, g.actor)
