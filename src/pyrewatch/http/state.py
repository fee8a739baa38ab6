"""Everything a request handler may need, built once per app by ``create_app``'s lifespan."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from sqlalchemy.ext.asyncio import AsyncEngine

from pyrewatch.db.session import SessionFactory
from pyrewatch.services.authentication import Authenticator
from pyrewatch.settings import Settings


@dataclass
class AppState:
    settings: Settings
    engine: AsyncEngine
    session_factory: SessionFactory
    authenticator: Authenticator
    system_user_id: int
    # Long-lived collaborators added by later wiring (ingest writer, notifier, ...), by name.
    extras: dict[str, Any] = field(default_factory=dict)
