# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""A local SMTP sink that counts the mails on the wire.

``aiosmtpd`` is not part of Odoo's requirements, so this is a small SMTP
server of its own (threads, plain sockets): it accepts every message,
answers ``250`` only once the whole DATA has arrived, and records each
accepted message's Message-Id and recipients.  A mail counts as delivered
when the sink said ``250`` to its DATA, which is when Odoo's ``sendmail``
returns.
"""

import re
import socketserver
import threading
from collections import Counter

MESSAGE_ID = re.compile(rb"^message-id:\s*(.+?)\s*$", re.IGNORECASE | re.MULTILINE)


class _Handler(socketserver.StreamRequestHandler):
    def _reply(self, text):
        self.wfile.write(text.encode() + b"\r\n")
        self.wfile.flush()

    def handle(self):
        try:
            self._converse()
        except OSError:
            pass  # the server was killed in the middle: nothing delivered

    def _converse(self):
        self._reply("220 dunning-sink ESMTP")
        rcpts = []
        while True:
            line = self.rfile.readline()
            if not line:
                return
            verb = line[:4].upper()
            if verb in (b"EHLO", b"HELO"):
                self._reply("250-dunning-sink\r\n250 8BITMIME")
            elif verb == b"MAIL":
                rcpts = []
                self._reply("250 OK")
            elif verb == b"RCPT":
                rcpts.append(line[8:].strip().decode(errors="replace"))
                self._reply("250 OK")
            elif verb == b"DATA":
                self._reply("354 End data with <CR><LF>.<CR><LF>")
                data = []
                while True:
                    chunk = self.rfile.readline()
                    if not chunk:
                        return  # the client died in the middle: not delivered
                    if chunk in (b".\r\n", b".\n"):
                        break
                    data.append(chunk)
                self.server.sink.record(b"".join(data), rcpts)
                self._reply("250 OK queued")
            elif verb == b"QUIT":
                self._reply("221 Bye")
                return
            else:  # RSET, NOOP, anything else
                self._reply("250 OK")


class _Server(socketserver.ThreadingTCPServer):
    daemon_threads = True
    allow_reuse_address = True


class SmtpSink:
    """``with SmtpSink() as sink: ... sink.port ... sink.counts()``"""

    def __init__(self, host="127.0.0.1", port=0):
        self._server = _Server((host, port), _Handler)
        self._server.sink = self
        self.port = self._server.server_address[1]
        self._lock = threading.Lock()
        self.deliveries = Counter()  # (message_id, recipients) -> times
        self.without_id = 0

    def record(self, data, rcpts):
        match = MESSAGE_ID.search(data.split(b"\r\n\r\n", 1)[0])
        with self._lock:
            if not match:
                self.without_id += 1
                return
            key = (match.group(1).decode(errors="replace"), ",".join(sorted(rcpts)))
            self.deliveries[key] += 1

    def message_ids(self):
        """Message-Id -> how many times it reached the sink (any recipient)."""
        with self._lock:
            counts = Counter()
            for (message_id, _rcpts), times in self.deliveries.items():
                counts[message_id] += times
            return counts

    def total(self):
        with self._lock:
            return sum(self.deliveries.values()) + self.without_id

    def __enter__(self):
        threading.Thread(target=self._server.serve_forever, daemon=True).start()
        return self

    def __exit__(self, *exc):
        self._server.shutdown()
        self._server.server_close()
