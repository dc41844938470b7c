"""Socket.IO packets as JSON (admin/push/wire.py): a shared state is encoded once, and every
packet reads the same as python-socketio's own encoding."""

from __future__ import annotations

import pytest
from socketio.packet import EVENT, Packet

from liangbiping.admin.push.wire import JsonPacket, Shared


def test_a_shared_payload_is_encoded_once_and_reads_the_same():
    sections = {"all_members": [{"name": "王芳", "title": "受理员 <b>", "n": 3}], "hall": {"name": "政务服务中心"}}
    shared = Shared(version=7, sections=sections)
    plain_state = ["state", {"version": 7, "sections": sections}]
    expected = JsonPacket(EVENT, data=plain_state, namespace="/display").encode()
    first = JsonPacket(EVENT, data=["state", shared], namespace="/display").encode()
    assert first == expected and shared.encoded
    # What python-socketio would send, but the Chinese as UTF-8 rather than \uXXXX escapes: half the bytes.
    theirs = Packet(EVENT, data=plain_state, namespace="/display").encode()
    assert Packet(encoded_packet=first).data == Packet(encoded_packet=theirs).data == plain_state
    assert "王芳" in first and len(first.encode()) < len(theirs.encode())
    shared.encoded = shared.encoded.replace("王芳", "changed")  # the second time, the text kept is used
    assert "changed" in JsonPacket(EVENT, data=["state", shared], namespace="/display").encode()
    plain = ["patch", {"version": 8, "base": 7, "sections": sections, "removed": []}]
    assert Packet(encoded_packet=JsonPacket(EVENT, data=plain, namespace="/display").encode()).data == plain


def test_packets_carry_no_binary_attachments():
    with pytest.raises(TypeError):
        JsonPacket(EVENT, data=["state", {"photo": b"\x89PNG"}], namespace="/display").encode()
    decoded = JsonPacket(encoded_packet='2/display,["ack",{"version":3}]')
    assert decoded.data == ["ack", {"version": 3}]
