"""Everything a request handler may need, built once per app by ``create_app``'s lifespan."""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy.ext.asyncio import AsyncEngine

from pyrewatch.db.session import SessionFactory
from pyrewatch.http.background import BackgroundWork
from pyrewatch.ingest.writer import IngestWriter
from pyrewatch.services.authentication import Authenticator
from pyrewatch.services.mail import Mailer
from pyrewatch.services.project_directory import ProjectDirectory
from pyrewatch.services.sessions import Sessions
from pyrewatch.settings import Settings


@dataclass
class AppState:
    settings: Settings
    engine: AsyncEngine
    session_factory: SessionFactory
    authenticator: Authenticator
    system_user_id: int
    projects: ProjectDirectory
    ingest_writer: IngestWriter
    # ``None`` when no ``PHOENIX_SECRET`` can sign session tokens.
    sessions: Sessions | None
    # ``None`` when ``PHOENIX_SMTP_HOSTNAME`` is unset.
    mailer: Mailer | None
    # The bound OTLP/gRPC port, known once the gRPC server has started.
    grpc_port: int | None = None
    # Work that runs after the answer (password-reset mail), drained at shutdown.
    background: BackgroundWork = field(default_factory=BackgroundWork)
