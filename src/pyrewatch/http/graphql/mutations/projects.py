"""Mutations for projects."""

from __future__ import annotations

import strawberry


@strawberry.type
class ProjectsMutation:
    pass
