"""A real ``pyrewatch serve`` cuts off oversized and slow requests and keeps serving others."""

from __future__ import annotations

import socket
import time
from collections.abc import Callable

import pytest

from tests.support.server import ServerProcess

StartServer = Callable[..., ServerProcess]

# Connection handling does not depend on the database: one dialect is enough.
SLOW_ENV = {
    "PYREWATCH_HEADER_TIMEOUT_SECONDS": "1",
    "PYREWATCH_BODY_IDLE_TIMEOUT_SECONDS": "1",
    "PYREWATCH_BODY_TIMEOUT_SECONDS": "2",
}


@pytest.fixture(params=["sqlite"])
def dialect(request: pytest.FixtureRequest) -> str:
    value: str = request.param
    return value


def _connect(server: ServerProcess) -> socket.socket:
    return socket.create_connection(("127.0.0.1", server.port), timeout=30)


def _read_response(sock: socket.socket) -> bytes:
    """Everything up to the end of one response with a Content-Length body (or the close)."""
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = sock.recv(65536)
        if not chunk:
            return data
        data += chunk
    head, _, body = data.partition(b"\r\n\r\n")
    length = next(
        (int(line.split(b":", 1)[1]) for line in head.split(b"\r\n") if line.lower().startswith(b"content-length:")),
        0,
    )
    while len(body) < length:
        chunk = sock.recv(65536)
        if not chunk:
            break
        body += chunk
    return head + b"\r\n\r\n" + body


def _drip_until_answered(sock: socket.socket, prefix: bytes, max_drips: int = 100) -> tuple[bytes, int]:
    """Send ``prefix``, then one byte every 0.2 s until the server answers or closes."""
    sock.sendall(prefix)
    sock.settimeout(0.2)
    for drips in range(max_drips):
        try:
            answer = sock.recv(65536)
        except TimeoutError:
            try:
                sock.sendall(b"a")
            except OSError:
                return b"", drips
            continue
        except OSError:
            return b"", drips
        return answer, drips
    return b"<still open>", max_drips


def test_header_drip_is_cut_off(start_server: StartServer) -> None:
    server = start_server(SLOW_ENV)
    with _connect(server) as sock:
        answer, drips = _drip_until_answered(sock, b"GET /healthz HTTP/1.1\r\nHost: a\r\nX-a: ")
    assert answer.startswith(b"HTTP/1.1 408") or answer == b"", answer
    assert drips < 100
    with _connect(server) as sock:  # a silent connection is closed too
        sock.settimeout(30)
        assert sock.recv(100) == b""
    with _connect(server) as sock:
        sock.sendall(b"GET /healthz HTTP/1.1\r\nHost: a\r\n\r\n")
        assert _read_response(sock).startswith(b"HTTP/1.1 200")


def test_body_drip_and_stall_are_answered_408(start_server: StartServer) -> None:
    server = start_server(SLOW_ENV)
    head = b"POST /auth/login HTTP/1.1\r\nHost: a\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n"
    with _connect(server) as sock:
        answer, drips = _drip_until_answered(sock, head + b'{"email":')
    assert answer.startswith(b"HTTP/1.1 408"), answer
    assert drips < 100
    with _connect(server) as sock:
        sock.sendall(head + b'{"email":')
        assert _read_response(sock).startswith(b"HTTP/1.1 408")
        assert sock.recv(100) == b""  # and the connection is closed
    # OTLP reads its own body, under the same timeouts.
    otlp = (
        b"POST /v1/traces HTTP/1.1\r\nHost: a\r\nContent-Type: application/x-protobuf\r\nContent-Length: 1000\r\n\r\n"
    )
    with _connect(server) as sock:
        sock.sendall(otlp + b"\x0a")
        assert _read_response(sock).startswith(b"HTTP/1.1 408")


def test_oversized_headers_and_bodies_are_refused_while_reading(start_server: StartServer) -> None:
    server = start_server({"PYREWATCH_MAX_GRAPHQL_BODY_BYTES": "2048"})
    with _connect(server) as sock:
        sock.sendall(b"GET /healthz HTTP/1.1\r\nHost: a\r\nX-a: " + b"a" * 200_000 + b"\r\n\r\n")
        assert _read_response(sock).startswith(b"HTTP/1.1 431")
    for path, declared in (("/auth/login", 10**9), ("/graphql", 10**6), ("/v1/projects", 10**9)):
        with _connect(server) as sock:
            # Only a small part of the announced body is sent: the answer must not wait for the rest.
            sock.sendall(
                f"POST {path} HTTP/1.1\r\nHost: a\r\nContent-Type: application/json\r\n"
                f"Content-Length: {declared}\r\n\r\n".encode()
                + b"{"
                + b" " * 70_000
            )
            answer = _read_response(sock)
            assert answer.startswith(b"HTTP/1.1 413"), (path, answer[:200])
    with _connect(server) as sock:  # chunked: no length announced, refused once past the limit
        sock.sendall(b"POST /graphql HTTP/1.1\r\nHost: a\r\nContent-Type: application/json\r\n")
        sock.sendall(b"Transfer-Encoding: chunked\r\n\r\n" + b"1000\r\n" + b" " * 4096 + b"\r\n")
        assert _read_response(sock).startswith(b"HTTP/1.1 413")


def test_invalid_utf8_graphql_body_is_400_and_the_connection_stays_usable(start_server: StartServer) -> None:
    server = start_server()
    body = b'{"query":"{ __typename }","variables":{"a":"\xff"}}'
    request = (
        b"POST /graphql HTTP/1.1\r\nHost: a\r\nContent-Type: application/json\r\n"
        + f"Content-Length: {len(body)}\r\n\r\n".encode()
        + body
    )
    with _connect(server) as sock:
        sock.sendall(request)
        first = _read_response(sock)
        assert first.startswith(b"HTTP/1.1 400"), first
        assert b"not valid UTF-8" in first
        sock.sendall(b"GET /healthz HTTP/1.1\r\nHost: a\r\n\r\n")
        assert _read_response(sock).startswith(b"HTTP/1.1 200")


def _healthz_status(server: ServerProcess) -> bytes:
    with _connect(server) as sock:
        sock.sendall(b"GET /healthz HTTP/1.1\r\nHost: a\r\n\r\n")
        return _read_response(sock)[:12]


def test_connections_beyond_the_cap_get_503(start_server: StartServer) -> None:
    server = start_server({"PYREWATCH_MAX_CONNECTIONS": "2", "PYREWATCH_HEADER_TIMEOUT_SECONDS": "60"})
    idle = [_connect(server), _connect(server)]
    try:
        assert _healthz_status(server) == b"HTTP/1.1 503"
    finally:
        for sock in idle:
            sock.close()
    # Once the idle connections are gone (the server notices shortly), requests are served again.
    statuses = []
    for _ in range(50):
        statuses.append(_healthz_status(server))
        if statuses[-1] == b"HTTP/1.1 200":
            break
        time.sleep(0.1)
    assert statuses[-1] == b"HTTP/1.1 200", statuses
