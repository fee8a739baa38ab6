"""The HTTP/1.1 connection handler ``pyrewatch serve`` runs: uvicorn's h11 protocol with limits.

Two things uvicorn leaves open are closed here:

* A client must send a request's line and headers within ``PYREWATCH_HEADER_TIMEOUT_SECONDS``
  of its first byte (or of connecting): a connection that drips its headers is answered 408 and
  closed, so slow clients cannot hold connections and file descriptors forever.
* A request line plus headers larger than ``PYREWATCH_MAX_HEADER_BYTES`` is answered 431 (h11
  stops buffering at that size; uvicorn would say 400).

Body size and body read time are limited per route by ``http/limits.py``.
"""

from __future__ import annotations

import asyncio

import h11
from uvicorn.protocols.http.h11_impl import H11Protocol

_TIMEOUT_RESPONSE = b"HTTP/1.1 408 Request Timeout\r\ncontent-length: 0\r\nconnection: close\r\n\r\n"


class GuardedH11Protocol(H11Protocol):
    header_timeout_seconds: float = 10.0
    _head_timer: asyncio.TimerHandle | None = None

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        self._watch_head()

    def data_received(self, data: bytes) -> None:
        super().data_received(data)
        self._watch_head()

    def connection_lost(self, exc: Exception | None) -> None:
        self._stop_head_timer()
        super().connection_lost(exc)

    def _watch_head(self) -> None:
        """Run the header clock while a request head is awaited, stop it once it has arrived."""
        awaiting_head = self.conn.their_state is h11.IDLE and not self.transport.is_closing()
        if not awaiting_head:
            self._stop_head_timer()
        elif self._head_timer is None:
            self._head_timer = self.loop.call_later(self.header_timeout_seconds, self._head_timed_out)

    def _stop_head_timer(self) -> None:
        if self._head_timer is not None:
            self._head_timer.cancel()
            self._head_timer = None

    def _head_timed_out(self) -> None:
        self._head_timer = None
        if self.conn.their_state is h11.IDLE and not self.transport.is_closing():
            # Only a partial head was sent: answer without h11, which has no request to answer.
            if self.conn.trailing_data[0]:
                self.transport.write(_TIMEOUT_RESPONSE)
            self.transport.close()

    def send_400_response(self, msg: str) -> None:
        limit = self.config.h11_max_incomplete_event_size
        if limit is None or len(self.conn.trailing_data[0]) <= limit:
            super().send_400_response(msg)
            return
        headers = [(b"content-type", b"text/plain; charset=utf-8"), (b"connection", b"close")]
        body = f"Request headers are larger than the limit of {limit} bytes".encode()
        for event in (
            h11.Response(status_code=431, headers=headers, reason=b"Request Header Fields Too Large"),
            h11.Data(data=body),
            h11.EndOfMessage(),
        ):
            self.transport.write(self.conn.send(event) or b"")
        self.transport.close()


def guarded_protocol(header_timeout_seconds: float) -> type[GuardedH11Protocol]:
    """A protocol class with this header timeout (uvicorn instantiates it per connection)."""
    return type("PyrewatchH11Protocol", (GuardedH11Protocol,), {"header_timeout_seconds": header_timeout_seconds})
