"""How Socket.IO packets are written: JSON only, never binary attachments.

python-socketio walks every packet's data, recursively, looking for bytes to send as binary
attachments; a screen's state is a few thousand nested values, and at 4,000 screens reconnecting
that walk was a sixth of the server's work. Nothing here sends bytes (photos are URLs), so the
walk is switched off; a bytes value would fail loudly in the JSON encoder rather than go out.
"""

from __future__ import annotations

from socketio.packet import Packet


class JsonPacket(Packet):
    uses_binary_events = False
