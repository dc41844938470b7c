"""The Socket.IO message queue over Redis, for several server processes (docs/deploy/).

python-socketio's RedisManager carries every emit through Redis, the process's own screens'
included. While Redis is away every push is lost, and once it is back its listener waits up to a
minute between attempts (doubling from 1 s), so screens would stay behind long after Redis
returned, until some later change. This manager tries again every ``RETRY`` seconds, and when it
is subscribed again after a failure it tells every screen connected to this process to say hello
again (``rejoin``, which the screen page already answers without a reload): each then gets its
whole current state, read from the database.
"""

from __future__ import annotations

import logging
import time

import socketio

from .rooms import DROP, RoomIndex

log = logging.getLogger(__name__)

RETRY = 1.0  # seconds between attempts to listen again
CONNECT_TIMEOUT = 2.0  # a Redis host that does not answer must not hold an emit for minutes


class RedisQueue(RoomIndex, socketio.RedisManager):
    def __init__(self, url: str, **kwargs):
        options = kwargs.pop("redis_options", None) or {}
        options.setdefault("socket_connect_timeout", CONNECT_TIMEOUT)
        super().__init__(url, redis_options=options, **kwargs)
        self.resubscribed = 0  # times it listened again after losing Redis (tests, /healthz readers)
        self.listening = False  # until subscribed: other processes' emits cannot reach this one

    def _handle_emit(self, message):
        # Delivered here from the queue: kept in order as a local emit is (RoomIndex.deliverable).
        data = message.get("data")
        if isinstance(data, list) and len(data) == 1 and not message.get("binary"):
            skip_sid = self.deliverable(message.get("namespace"), message.get("room"), message.get("event"),
                                        data[0], message.get("skip_sid"))
            if skip_sid is DROP:
                return None
            message["skip_sid"] = skip_sid
        return super()._handle_emit(message)

    def _redis_listen_with_retries(self):
        failed_since = None
        while True:
            try:
                self._redis_connect()
                self.pubsub.subscribe(self.channel)
                self.breaks += 1  # whatever was read before this subscription may have been passed by
                self.listening = True
                if failed_since is not None:
                    log.warning("listening to Redis again after %.0f s; screens are asked to catch up",
                                time.monotonic() - failed_since)
                    failed_since = None
                    self.resubscribed += 1
                    self._catch_up()
                yield from self.pubsub.listen()
            except Exception as exc:  # noqa: BLE001 - whatever broke, listen again
                self.listening = False
                self.breaks += 1
                if failed_since is None:
                    failed_since = time.monotonic()
                    log.error("lost Redis, pushes cannot reach the screens; retrying every %s s: %s", RETRY, exc)
                time.sleep(RETRY)

    def _catch_up(self) -> None:
        """Every screen of this process missed whatever was pushed while Redis was away."""
        from .hub import NAMESPACE

        try:
            # Only this process's own sockets (ignore_queue): every other process does the same.
            self.server.emit("rejoin", {}, namespace=NAMESPACE, ignore_queue=True)
        except Exception:  # noqa: BLE001 - the listening must go on
            log.exception("could not ask the screens to catch up")
