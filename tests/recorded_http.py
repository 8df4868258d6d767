"""A local HTTP server for the tests of downloads: each test module writes the answers."""

import contextlib
import http.server
import threading
from collections.abc import Iterator


class Answers(http.server.BaseHTTPRequestHandler):
    """Subclasses write `do_GET` with `answer()`; nothing is logged."""

    content_type = "text/plain; charset=utf-8"

    def answer(self, status: int, body: bytes, length: bool = True) -> None:
        """`length=False` leaves out Content-Length (the body alone says where it ends)."""
        self.send_response(status)
        self.send_header("Content-Type", self.content_type)
        if length:
            self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


@contextlib.contextmanager
def serving(handler: type[Answers]) -> Iterator[str]:
    """The server's address (http://127.0.0.1:PORT) while the block runs."""
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{httpd.server_address[1]}"
    finally:
        httpd.shutdown()
        httpd.server_close()
