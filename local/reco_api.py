"""The recommendation API on the laptop: an API-Gateway-shaped adapter over the very Lambda handler.

    python -m local.reco_api --port 8082

Each HTTP request becomes an API Gateway REST proxy event, is passed to
``lambdas.recommendation.handler.handler`` with a Lambda-like context, and the handler's answer goes back as
HTTP. One request runs at a time, as in one Lambda execution environment. ``GET /healthz`` is the adapter's own
liveness check. No IAM here: on the laptop the gateway calls without SigV4 (``RECOMMENDATION_API_SIGV4=false``).
"""

from __future__ import annotations

import argparse
import base64
import json
import sys
import threading
import time
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

from local.settings import HOST

STAGE = "v1"
RESOURCES = ("/recommendations",)
MAX_BODY = 64 * 1024

Handler = Callable[[dict[str, Any], Any], dict[str, Any]]


@dataclass
class LambdaContext:
    """The attributes of Lambda's context object that Powertools reads."""

    function_name: str = "recommendation-api-local"
    function_version: str = "$LATEST"
    memory_limit_in_mb: int = 512
    aws_request_id: str = field(default_factory=lambda: str(uuid.uuid4()))
    invoked_function_arn: str = "arn:aws:lambda:ap-northeast-2:000000000000:function:recommendation-api-local"
    log_group_name: str = "/aws/lambda/recommendation-api-local"
    log_stream_name: str = "local"
    timeout_seconds: float = 6.0
    _started: float = field(default_factory=time.monotonic)

    def get_remaining_time_in_millis(self) -> int:
        return max(0, int((self.timeout_seconds - (time.monotonic() - self._started)) * 1000))


def proxy_event(method: str, target: str, headers: dict[str, str], body: bytes, source_ip: str) -> dict[str, Any]:
    """The API Gateway REST (v1) proxy event for one HTTP request."""
    parts = urlsplit(target)
    query = parse_qs(parts.query, keep_blank_values=True)
    request_id = str(uuid.uuid4())
    return {
        "resource": parts.path if parts.path in RESOURCES else "/{proxy+}",
        "path": parts.path,
        "httpMethod": method,
        "headers": headers or None,
        "multiValueHeaders": {name: [value] for name, value in headers.items()} or None,
        "queryStringParameters": {name: values[-1] for name, values in query.items()} or None,
        "multiValueQueryStringParameters": query or None,
        "pathParameters": None,
        "stageVariables": None,
        "requestContext": {
            "accountId": "000000000000",
            "apiId": "local",
            "stage": STAGE,
            "requestId": request_id,
            "resourcePath": parts.path,
            "httpMethod": method,
            "path": f"/{STAGE}{parts.path}",
            "protocol": "HTTP/1.1",
            "requestTimeEpoch": int(time.time() * 1000),
            "identity": {"sourceIp": source_ip, "userAgent": headers.get("user-agent", "")},
        },
        "body": body.decode("utf-8", errors="replace") if body else None,
        "isBase64Encoded": False,
    }


def make_server(port: int, handler: Handler, host: str = HOST) -> ThreadingHTTPServer:
    lock = threading.Lock()  # one invocation at a time, like one Lambda execution environment

    class Adapter(BaseHTTPRequestHandler):
        server_version = "reco-api-local"

        def do_GET(self) -> None:
            self._serve()

        def do_POST(self) -> None:
            self._serve()

        def _serve(self) -> None:
            if self.path == "/healthz":
                self._send(HTTPStatus.OK, {"content-type": "application/json"}, b'{"status":"ok"}')
                return
            length = int(self.headers.get("content-length") or 0)
            if length > MAX_BODY:
                self._send(HTTPStatus.REQUEST_ENTITY_TOO_LARGE, {"content-type": "application/json"}, b"{}")
                return
            body = self.rfile.read(length) if length else b""
            headers = {name.lower(): value for name, value in self.headers.items()}
            event = proxy_event(self.command, self.path, headers, body, self.client_address[0])
            with lock:
                result = handler(event, LambdaContext())
            raw = result.get("body") or ""
            payload = base64.b64decode(raw) if result.get("isBase64Encoded") else str(raw).encode()
            response_headers = dict(result.get("headers") or {})
            for name, values in (result.get("multiValueHeaders") or {}).items():
                response_headers[name] = ", ".join(values)
            self._send(int(result.get("statusCode", 500)), response_headers, payload)

        def _send(self, status: int, headers: dict[str, str], payload: bytes) -> None:
            self.send_response(status)
            for name, value in headers.items():
                if name.lower() not in ("content-length", "connection"):
                    self.send_header(name, value)
            self.send_header("content-length", str(len(payload)))
            self.end_headers()
            self.wfile.write(payload)

        def log_message(self, format: str, *args: Any) -> None:
            sys.stderr.write(json.dumps({"access": format % args, "client": self.client_address[0]}) + "\n")

    return ThreadingHTTPServer((host, port), Adapter)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--port", type=int, default=8082)
    args = parser.parse_args(argv)
    from lambdas.recommendation.handler import handler  # after argument parsing: --help needs no AWS settings

    server = make_server(args.port, handler)
    print(f"recommendation API adapter on http://{HOST}:{args.port}", flush=True)
    try:
        server.serve_forever()
    finally:
        server.server_close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
