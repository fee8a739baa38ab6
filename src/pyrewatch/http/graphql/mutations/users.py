"""Mutations for users."""

from __future__ import annotations

import strawberry


@strawberry.type
class UsersMutation:
    pass
