"""A real HTTP server that answers the few Grafana HTTP API calls the provisioner makes, and records every request.

It keeps data sources, folders and dashboards in memory, accepts only the Bearer tokens it is told are valid, and can
be told to fail one path, so tests see what a real workspace would answer over the wire.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit


@dataclass
class Recorded:
    method: str
    path: str
    body: Any
    authorization: str


@dataclass
class State:
    valid_tokens: set[str] = field(default_factory=set)
    data_sources: dict[str, dict[str, Any]] = field(default_factory=dict)
    folders: dict[str, dict[str, Any]] = field(default_factory=dict)
    dashboards: dict[str, dict[str, Any]] = field(default_factory=dict)  # uid -> {"dashboard", "folderUid"}
    requests: list[Recorded] = field(default_factory=list)
    fail: dict[tuple[str, str], int] = field(default_factory=dict)  # (method, path prefix) -> status

    def calls(self, method: str | None = None) -> list[tuple[str, str]]:
        return [(r.method, r.path) for r in self.requests if method is None or r.method == method]


class _Handler(BaseHTTPRequestHandler):
    state: State

    def log_message(self, format: str, *args: Any) -> None:  # quiet test output
        return

    def _answer(self, status: int, body: Any = None) -> None:
        data = json.dumps(body if body is not None else {}).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def _handle(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(length) if length else b""
        body = json.loads(raw) if raw else None
        state = self.state
        url = urlsplit(self.path)
        state.requests.append(Recorded(self.command, self.path, body, self.headers.get("Authorization", "")))
        token = self.headers.get("Authorization", "").removeprefix("Bearer ")
        if token not in state.valid_tokens:
            return self._answer(401, {"message": "invalid API key"})
        for (method, prefix), status in state.fail.items():
            if method == self.command and url.path.startswith(prefix):
                return self._answer(status, {"message": "injected failure"})
        self._route(self.command, url.path, parse_qs(url.query), body)

    def _route(self, method: str, path: str, query: dict[str, list[str]], body: Any) -> None:
        state = self.state
        parts = path.strip("/").split("/")
        if parts[:3] == ["api", "datasources", "uid"] and len(parts) == 4:
            uid = parts[3]
            if method == "GET":
                found = state.data_sources.get(uid)
                return self._answer(200, found) if found else self._answer(404, {"message": "Data source not found"})
            if method == "PUT" and uid in state.data_sources:
                if body.get("uid") != uid:
                    return self._answer(400, {"message": "uid mismatch"})
                state.data_sources[uid] = body
                return self._answer(200, {"message": "Datasource updated"})
        if path == "/api/datasources" and method == "POST":
            if body["uid"] in state.data_sources:
                return self._answer(409, {"message": "data source with the same uid already exists"})
            state.data_sources[body["uid"]] = body
            return self._answer(200, {"message": "Datasource added"})
        if parts[:2] == ["api", "folders"]:
            if method == "POST" and len(parts) == 2:
                if body["uid"] in state.folders:
                    return self._answer(409, {"message": "a folder with the same uid already exists"})
                state.folders[body["uid"]] = {"uid": body["uid"], "title": body["title"]}
                return self._answer(200, state.folders[body["uid"]])
            if len(parts) == 3 and method == "GET":
                found = state.folders.get(parts[2])
                return self._answer(200, found) if found else self._answer(404, {"message": "folder not found"})
            if len(parts) == 3 and method == "PUT" and parts[2] in state.folders:
                state.folders[parts[2]]["title"] = body["title"]
                return self._answer(200, state.folders[parts[2]])
        if path == "/api/dashboards/db" and method == "POST":
            dashboard = body["dashboard"]
            if body.get("folderUid") not in state.folders:
                return self._answer(400, {"message": "folder not found"})
            if dashboard["uid"] in state.dashboards and not body.get("overwrite"):
                return self._answer(412, {"message": "version-mismatch"})
            state.dashboards[dashboard["uid"]] = {"dashboard": dashboard, "folderUid": body["folderUid"]}
            return self._answer(200, {"status": "success", "uid": dashboard["uid"]})
        if parts[:3] == ["api", "dashboards", "uid"] and method == "DELETE":
            if state.dashboards.pop(parts[3], None) is None:
                return self._answer(404, {"message": "Dashboard not found"})
            return self._answer(200, {"title": parts[3]})
        if path == "/api/search" and method == "GET":
            folders = set(query.get("folderUIDs", []))
            hits = [{"uid": uid, "type": "dash-db"} for uid, d in state.dashboards.items() if d["folderUid"] in folders]
            return self._answer(200, hits)
        return self._answer(404, {"message": f"no route {method} {path}"})

    do_GET = do_POST = do_PUT = do_DELETE = _handle


@contextmanager
def fake_grafana() -> Iterator[tuple[str, State]]:
    """``(base_url, state)`` of a server on 127.0.0.1 (a free port), stopped when the block ends."""
    state = State()
    handler = type("Handler", (_Handler,), {"state": state})
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}", state
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)
