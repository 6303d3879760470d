"""A stand-in for a service in runner tests: ``python fake_service.py PORT healthy|unhealthy|crash``.

``healthy`` answers 200 on /readyz, ``unhealthy`` answers 503, ``crash`` prints a message and exits 3.
"""

from __future__ import annotations

import sys
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


def main() -> None:
    port, mode = int(sys.argv[1]), sys.argv[2]
    if mode == "crash":
        sys.stdout.write("boom: the fake service refuses to start\n")
        sys.exit(3)

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            self.send_response(200 if mode == "healthy" and self.path == "/readyz" else 503)
            self.end_headers()

        def log_message(self, format: str, *args: object) -> None:
            return

    sys.stdout.write(f"fake service listening on {port}\n")
    sys.stdout.flush()
    ThreadingHTTPServer(("127.0.0.1", port), Handler).serve_forever()


if __name__ == "__main__":
    main()
