"""Health polling: success, a crashed process, and the deadline."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from local.health import HealthError, wait_healthy
from local.processes import free_ports


class _Ready(BaseHTTPRequestHandler):
    def do_GET(self) -> None:
        self.send_response(200 if self.path == "/readyz" else 503)
        self.end_headers()

    def log_message(self, format: str, *args: object) -> None:
        return


@pytest.fixture
def server_port() -> Iterator[int]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Ready)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server.server_address[1]
    server.shutdown()
    server.server_close()


def test_returns_once_every_url_answers_200(server_port: int) -> None:
    # Given a server answering 200 on /readyz
    urls = {"svc": f"http://127.0.0.1:{server_port}/readyz"}
    # When / Then waiting returns without error well before the deadline
    wait_healthy(urls, alive=lambda name: True, deadline=time.monotonic() + 5)


def test_a_non_200_answer_is_not_healthy(server_port: int) -> None:
    # Given a URL that answers 503
    urls = {"svc": f"http://127.0.0.1:{server_port}/other"}
    # When / Then the wait ends at the deadline with the last status
    with pytest.raises(HealthError, match="HTTP 503"):
        wait_healthy(urls, alive=lambda name: True, deadline=time.monotonic() + 0.5)


def test_a_dead_process_fails_at_once() -> None:
    # Given a component whose process has exited
    urls = {"order": f"http://127.0.0.1:{free_ports(1)[0]}/readyz"}
    started = time.monotonic()
    # When waiting for it with a long deadline
    with pytest.raises(HealthError) as raised:
        wait_healthy(urls, alive=lambda name: False, deadline=started + 60)
    # Then it fails immediately, naming the component
    assert raised.value.name == "order"
    assert "exited" in raised.value.reason
    assert time.monotonic() - started < 5


def test_nothing_listening_fails_at_the_deadline() -> None:
    # Given a port nobody listens on
    urls = {"login": f"http://127.0.0.1:{free_ports(1)[0]}/readyz"}
    started = time.monotonic()
    # When waiting with a short deadline
    with pytest.raises(HealthError, match="login: not healthy before the timeout"):
        wait_healthy(urls, alive=lambda name: True, deadline=started + 1)
    # Then the wait was bounded
    assert time.monotonic() - started < 5
