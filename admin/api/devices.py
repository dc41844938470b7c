"""Creating screens and kiosks through the API: the device token is in the answer, once."""

from __future__ import annotations

from flask import g

from ..catalog import KIOSKS, SCREENS
from ..schemas import KioskCreated, KioskIn, ScreenCreated, ScreenIn
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
