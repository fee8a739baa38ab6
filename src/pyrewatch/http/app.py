"""``create_app(settings)``: builds the whole ASGI application. Wiring only."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator
from contextlib import AsyncExitStack, asynccontextmanager

from fastapi import FastAPI
from sqlalchemy.ext.asyncio import AsyncEngine

from pyrewatch import __version__
from pyrewatch.auth.tokens import Keyring
from pyrewatch.db import migrate, notifications
from pyrewatch.db.effects import Dispatcher
from pyrewatch.db.engine import make_engine
from pyrewatch.db.session import make_session_factory
from pyrewatch.http import auth_routes, discovery, health, otlp, web
from pyrewatch.http.audit_setup import start_audit
from pyrewatch.http.csrf import CsrfMiddleware
from pyrewatch.http.errors import install_error_handlers
from pyrewatch.http.graphql.schema import graphql_router
from pyrewatch.http.grpc import grpc_server
from pyrewatch.http.identity import build_mailer, build_sessions
from pyrewatch.http.limits import RequestLimitsMiddleware
from pyrewatch.http.middleware import AuthenticationMiddleware, HeadersMiddleware
from pyrewatch.http.openapi import install_openapi
from pyrewatch.http.provisioning_setup import apply_provisioning_file
from pyrewatch.http.ratelimit import AuthRateLimitMiddleware
from pyrewatch.http.rest.v1 import annotation_configs, api_keys, projects, spans, target_annotations, traces, users
from pyrewatch.http.rest.v1 import annotations as annotation_routes
from pyrewatch.http.rest.v1 import audit as audit_routes
from pyrewatch.http.rest.v1 import dataset_labels as dataset_label_routes
from pyrewatch.http.rest.v1 import datasets as dataset_routes
from pyrewatch.http.rest.v1 import experiment_runs as experiment_run_routes
from pyrewatch.http.rest.v1 import experiments as experiment_routes
from pyrewatch.http.rest.v1 import prompts as prompt_routes
from pyrewatch.http.rest.v1 import retention as retention_routes
from pyrewatch.http.rest.v1 import sessions as session_routes
from pyrewatch.http.retention_settings import retention_defaults
from pyrewatch.http.state import AppState
from pyrewatch.ingest.writer import IngestWriter
from pyrewatch.jobs.retention import RetentionSweeper
from pyrewatch.services.authentication import Authenticator
from pyrewatch.services.project_directory import ProjectDirectory
from pyrewatch.services.provisioning import provision
from pyrewatch.settings import Settings

logger = logging.getLogger(__name__)


def _prepare_working_dir(settings: Settings) -> None:
    if settings.database_url.startswith("sqlite"):
        settings.working_dir.mkdir(parents=True, exist_ok=True)


async def _listen_for_invalidations(stack: AsyncExitStack, engine: AsyncEngine, dispatcher: Dispatcher) -> None:
    """With PostgreSQL, replicas hear at once about the changes other replicas commit (revoked
    credentials, changed projects); until this replica listens, its caches are not trusted."""
    if not notifications.supports_notifications(engine):
        return
    ready = await stack.enter_async_context(notifications.listen(engine, dispatcher))
    try:
        await asyncio.wait_for(ready.wait(), timeout=10)
    except TimeoutError:
        logger.warning("not listening for invalidations yet; reading credentials from the database")


@asynccontextmanager
async def _lifespan(app: FastAPI) -> AsyncIterator[None]:
    settings: Settings = app.state.settings
    _prepare_working_dir(settings)
    engine = make_engine(settings.database_url, settings.database_schema)
    async with AsyncExitStack() as stack:
        stack.push_async_callback(engine.dispose)
        await migrate.upgrade(engine, schema=settings.database_schema)
        dispatcher = Dispatcher()
        factory = make_session_factory(engine, dispatcher)
        provisioned = await provision(
            factory,
            default_admin_password=settings.default_admin_initial_password,
            admins=settings.admins,
        )
        await apply_provisioning_file(settings, factory, provisioned.system_user_id)
        keyring = Keyring(settings.secret, settings.previous_secrets) if settings.secret else None
        authenticator = Authenticator(
            factory,
            auth_enabled=settings.enable_auth,
            admin_secret=settings.admin_secret if settings.enable_auth else None,
            keyring=keyring,
            system_user_id=provisioned.system_user_id,
        )
        authenticator.expire_admin_secret_at(settings.admin_secret_expires_at)
        directory = ProjectDirectory(factory)
        dispatcher.subscribe(authenticator)
        dispatcher.subscribe(directory)
        await start_audit(stack, settings, factory)
        await stack.enter_async_context(authenticator.usage_flusher())
        await _listen_for_invalidations(stack, engine, dispatcher)
        # Exits run in reverse: gRPC stops taking exports, then the writer drains its queue.
        writer = IngestWriter(
            factory, max_queued_spans=settings.max_spans_queue_size, on_commit=directory.note_projects
        )
        state = AppState(
            settings=settings,
            engine=engine,
            session_factory=factory,
            authenticator=authenticator,
            system_user_id=provisioned.system_user_id,
            projects=directory,
            ingest_writer=await stack.enter_async_context(writer),
            sessions=build_sessions(settings, factory, keyring),
            mailer=build_mailer(settings),
        )
        app.state.pyrewatch = state
        stack.push_async_callback(state.background.drain)
        state.grpc_port = await stack.enter_async_context(grpc_server(state))
        sweeper = RetentionSweeper(factory, retention_defaults(settings), settings.retention_sweep_seconds)
        await stack.enter_async_context(sweeper)
        logger.info("Pyrewatch %s ready (auth %s)", __version__, "on" if settings.enable_auth else "off")
        yield


def create_app(settings: Settings) -> FastAPI:
    """Build the application. Nothing is connected until the ASGI lifespan starts."""
    app = FastAPI(
        title="Pyrewatch REST API",
        version=__version__,
        lifespan=_lifespan,
        docs_url="/docs",
        redoc_url=None,
    )
    app.state.settings = settings
    install_error_handlers(app)
    app.include_router(health.router)
    app.include_router(discovery.router)
    app.include_router(auth_routes.router)
    app.include_router(otlp.router)
    for rest in (
        users,
        api_keys,
        projects,
        spans,
        traces,
        annotation_routes,
        session_routes,
        target_annotations,
        annotation_configs,
        retention_routes,
    ):
        app.include_router(rest.router)
    for evaluation in (dataset_routes, dataset_label_routes, experiment_routes, experiment_run_routes, prompt_routes):
        app.include_router(evaluation.router)
    app.include_router(audit_routes.router)
    app.include_router(graphql_router(settings.limits), include_in_schema=False)
    install_openapi(app)
    # Innermost first: bodies are read (under the limits) only once a request is authenticated.
    app.add_middleware(RequestLimitsMiddleware)
    web.install(app)
    app.add_middleware(AuthenticationMiddleware)
    app.add_middleware(CsrfMiddleware)
    app.add_middleware(AuthRateLimitMiddleware)
    app.add_middleware(HeadersMiddleware)
    return app
