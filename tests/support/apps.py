"""Reach into an in-process app that a ``TestClient`` drives: its state, and its event loop."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

from fastapi.testclient import TestClient

from pyrewatch.http.state import AppState

T = TypeVar("T")


def app_state(client: TestClient) -> AppState:
    """The state the app's lifespan built (writer, gRPC port, session factory, caches)."""
    state: AppState = client.app.state.pyrewatch  # type: ignore[attr-defined]
    return state


def in_app(client: TestClient, fn: Callable[..., Awaitable[T]], *args: Any) -> T:
    """Run ``await fn(*args)`` on the app's own event loop and return its result."""
    assert client.portal is not None, "the client's lifespan is not running"
    return client.portal.call(fn, *args)
