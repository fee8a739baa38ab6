"""The ``after`` cursor of the simple listings (row ids, newest first)."""

from __future__ import annotations

from starlette.requests import Request

from pyrewatch.errors import InvalidInput

PAGE_SIZE = 50


def after_cursor(request: Request) -> int | None:
    """The row id a page starts from, or None for the first page.

    Raises:
        InvalidInput: the cursor is not a row id.
    """
    raw = request.query_params.get("after", "")
    if not raw:
        return None
    if not raw.isdigit() or len(raw) > 18:
        raise InvalidInput("The page cursor is not valid; start from the first page.")
    return int(raw)
