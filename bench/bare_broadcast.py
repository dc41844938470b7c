"""The baseline for bench/push_latency.py: a bare python-socketio server on gevent, no Flask, no database.
Its packets are written as Liangbiping's are (UTF-8 JSON, no binary attachments), so that the two
send the same bytes.

``POST /broadcast`` with a JSON body emits it as ``patch`` to every client of /display,
the same way Liangbiping's push does (one emit to one room), and answers at once; a client
that connects gets the last one as ``state``, as a screen gets its state.
Run as: python bench/bare_broadcast.py PORT [REDIS_URL]   (with a Redis URL, several processes
share their clients through it, as Liangbiping's serve processes do: bench/scale.py)
"""

from gevent import monkey

monkey.patch_all()

import json  # noqa: E402
import sys  # noqa: E402

import socketio  # noqa: E402
from gevent.pywsgi import WSGIServer  # noqa: E402

class Utf8Json:
    """The same wire as Liangbiping's (admin/push/wire.py): text as UTF-8, not \\u escapes."""

    @staticmethod
    def dumps(data, **kwargs):
        return json.dumps(data, ensure_ascii=False, **kwargs)

    loads = staticmethod(json.loads)


class Utf8Packet(socketio.packet.Packet):
    uses_binary_events = False  # as Liangbiping's: no walk of each payload for bytes
    json = Utf8Json


sio = socketio.Server(async_mode="gevent", cors_allowed_origins=[], serializer=Utf8Packet,
                      client_manager=socketio.RedisManager(sys.argv[2]) if len(sys.argv) > 2 else None)
last = {"version": 0, "sections": {}}


@sio.on("connect", namespace="/display")
def connect(sid, environ, auth=None):
    sio.enter_room(sid, "all", namespace="/display")
    sio.emit("state", last, to=sid, namespace="/display")


def _broadcast(payload):
    last.update(payload)
    sio.emit("patch", payload, to="all", namespace="/display")


def broadcast_app(environ, start_response):
    if environ["PATH_INFO"] == "/broadcast" and environ["REQUEST_METHOD"] == "POST":
        body = environ["wsgi.input"].read(int(environ.get("CONTENT_LENGTH") or 0))
        sio.start_background_task(_broadcast, json.loads(body))
        start_response("204 No Content", [])
        return [b""]
    if environ["PATH_INFO"] == "/healthz":
        start_response("200 OK", [("Content-Type", "application/json")])
        return [b'{"status": "ok"}']
    start_response("404 Not Found", [])
    return [b""]


if __name__ == "__main__":
    app = socketio.WSGIApp(sio, broadcast_app)
    WSGIServer(("127.0.0.1", int(sys.argv[1])), app, log=None, backlog=2048).serve_forever()
