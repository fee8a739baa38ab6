"""Helpers for page tests through the ASGI app: read a form's CSRF token, post forms, log in."""

from __future__ import annotations

import re

import httpx
from fastapi.testclient import TestClient

_TOKEN = re.compile(r'name="csrf_token" value="([^"]+)"')


def csrf_of(client: TestClient, path: str = "/login") -> str:
    page = client.get(path)
    match = _TOKEN.search(page.text)
    assert match is not None, page.text[:500]
    return match.group(1)


def post_form(client: TestClient, path: str, data: dict[str, str], *, token_from: str = "/login") -> httpx.Response:
    response: httpx.Response = client.post(
        path, data={"csrf_token": csrf_of(client, token_from), **data}, follow_redirects=False
    )
    return response


def log_in(client: TestClient, email: str, password: str) -> httpx.Response:
    return post_form(client, "/login", {"email": email, "password": password, "next": "/projects"})
