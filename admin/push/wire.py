"""How Socket.IO packets are written: JSON only, never binary attachments.

python-socketio walks every packet's data, recursively, looking for bytes to send as binary
attachments; a screen's state is a few thousand nested values, and at 4,000 screens reconnecting
that walk was a sixth of the server's work. Nothing here sends bytes (photos are URLs), so the
walk is switched off; a bytes value would fail loudly in the JSON encoder rather than go out.
Text goes as UTF-8, not as "\\u" escapes, and a state that many screens are sent one by one
is encoded once (Shared).
"""

from __future__ import annotations

import json

from socketio.packet import Packet


class Shared(dict):
    """A payload that is never changed once made and is sent to many sockets one by one (a
    content key's state, to each screen that connects): encoded once, not once per socket. In a
    reconnect storm the encoding of a 17.5 kB state was a tenth of the server's work."""

    __slots__ = ("encoded",)


class _SharedJson:
    """The ``json`` of JsonPacket: ``[event, Shared]`` reuses the payload's encoding (set once; two
    greenlets encoding it at once both write the same text)."""

    @staticmethod
    def dumps(data, **kwargs):
        # UTF-8 as it is, not \uXXXX: a hall's Chinese text takes half the bytes to send, and
        # the screens half the work to read (websocket text frames are UTF-8 anyway).
        kwargs.setdefault("ensure_ascii", False)
        if isinstance(data, list) and len(data) == 2 and isinstance(data[1], Shared):
            payload = data[1]
            encoded = getattr(payload, "encoded", None)
            if encoded is None:
                encoded = json.dumps(payload, **kwargs)
                payload.encoded = encoded
            return "[" + json.dumps(data[0], **kwargs) + "," + encoded + "]"
        return json.dumps(data, **kwargs)

    loads = staticmethod(Packet.json.loads)  # python-socketio's, with its guard against huge integers


class JsonPacket(Packet):
    uses_binary_events = False
    json = _SharedJson
