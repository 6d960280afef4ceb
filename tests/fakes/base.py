"""The base of the fake HTTP servers: a ThreadingHTTPServer on 127.0.0.1 in a daemon thread,
recording every request, with failures injected by `fail_next(prefix, status, body, headers)`."""

from __future__ import annotations

import json
import threading
from dataclasses import dataclass
from email.parser import BytesParser
from email.policy import HTTP
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlparse


@dataclass
class Recorded:
    method: str
    path: str
    query: dict[str, list[str]]
    headers: dict[str, str]
    body: bytes

    def json(self) -> Any:
        return json.loads(self.body or b"null")

    def form(self) -> dict[str, Any]:
        """Form fields of a urlencoded or multipart body (file parts as bytes)."""
        kind = self.headers.get("content-type", "")
        if kind.startswith("multipart/"):
            message = BytesParser(policy=HTTP).parsebytes(
                f"Content-Type: {kind}\r\n\r\n".encode() + self.body
            )
            out: dict[str, Any] = {}
            for part in message.iter_parts():
                name = part.get_param("name", header="content-disposition")
                payload = part.get_payload(decode=True)
                out[str(name)] = payload if part.get_filename() else payload.decode()
            return out
        if kind.startswith("application/json"):
            return dict(self.json())
        return {k: v[0] if len(v) == 1 else v for k, v in parse_qs(self.body.decode()).items()}


@dataclass
class _Failure:
    prefix: str
    status: int
    body: Any
    headers: dict[str, str]
    after: bool  # handle the request normally first, then answer with the failure


class FakeServer:
    """Base: routing, recording, failure injection. Subclasses implement `route`."""

    def __init__(self) -> None:
        self.requests: list[Recorded] = []
        self.lock = threading.Lock()
        self._failures: list[_Failure] = []
        owner = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *_args: Any) -> None:
                return

            def _any(self) -> None:
                length = int(self.headers.get("content-length") or 0)
                body = self.rfile.read(length) if length else b""
                parsed = urlparse(self.path)
                recorded = Recorded(
                    self.command,
                    parsed.path,
                    parse_qs(parsed.query),
                    {k.lower(): v for k, v in self.headers.items()},
                    body,
                )
                status, payload, headers = owner.handle(recorded)
                if status == 0:  # `fail_next(prefix, 0)`: hang up without an answer
                    self.close_connection = True
                    return
                data = b"" if payload is None else json.dumps(payload).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                for key, value in headers.items():
                    self.send_header(key, value)
                self.end_headers()
                self.wfile.write(data)

            do_GET = do_POST = do_DELETE = do_PUT = _any

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)
        self.thread.start()

    @property
    def base(self) -> str:
        host, port = self.httpd.server_address[:2]
        return f"http://{host}:{port}"

    def close(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()

    def fail_next(
        self,
        prefix: str,
        status: int,
        body: Any = None,
        headers: dict[str, str] | None = None,
        *,
        after: bool = False,
    ) -> None:
        """The next request under `prefix` gets `status` (after being handled, if `after`)."""
        self._failures.append(
            _Failure(prefix, status, body or {"error": "injected"}, headers or {}, after)
        )

    def handle(self, req: Recorded) -> tuple[int, Any, dict[str, str]]:
        with self.lock:
            self.requests.append(req)
            failure = next((f for f in self._failures if req.path.startswith(f.prefix)), None)
            if failure is not None:
                self._failures.remove(failure)
                if failure.after:
                    self.route(req)
                return failure.status, failure.body, failure.headers
            return self.route(req)

    def route(self, req: Recorded) -> tuple[int, Any, dict[str, str]]:
        raise NotImplementedError

    def calls(self, method: str, path: str) -> list[Recorded]:
        return [r for r in self.requests if r.method == method and r.path == path]
