"""Query fields for projects."""

from __future__ import annotations

import strawberry


@strawberry.type
class ProjectsQuery:
    pass
