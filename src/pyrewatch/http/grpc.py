"""OTLP over gRPC: ``opentelemetry.proto.collector.trace.v1.TraceService/Export``.

The same authentication and policy as HTTP: the ``authorization`` metadata (any case, ``Bearer``
scheme) becomes a ``Principal``; no or a bad credential is ``UNAUTHENTICATED``, a viewer is
``PERMISSION_DENIED``. A full queue is ``UNAVAILABLE`` (OTLP exporters retry it). Messages are
handled as raw bytes here and parsed by ``pyrewatch.ingest``.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import grpc

from pyrewatch.auth.policy import Action, NotAllowed, decide
from pyrewatch.auth.principal import Principal, Via
from pyrewatch.errors import InvalidInput, Overloaded, Unauthenticated
from pyrewatch.http.otlp import run_export
from pyrewatch.http.state import AppState
from pyrewatch.ingest import decode

logger = logging.getLogger(__name__)

SERVICE = "opentelemetry.proto.collector.trace.v1.TraceService"
SHUTDOWN_GRACE_SECONDS = 5.0
INTERNAL_ERROR = "Internal server error"


def _authorization(metadata: Any) -> str | None:
    """The ``authorization`` metadata value (any case), parsed like the HTTP header."""
    for key, value in metadata or ():
        if key.lower() == "authorization":
            return value.decode("latin-1") if isinstance(value, bytes) else str(value)
    return None


class _TraceService:
    def __init__(self, state: AppState) -> None:
        self._state = state

    async def _principal(self, context: grpc.aio.ServicerContext) -> Principal:
        try:
            authorization = _authorization(context.invocation_metadata())
            principal = await self._state.authenticator.authenticate_request(authorization, None)
        except Unauthenticated as exc:
            await context.abort(grpc.StatusCode.UNAUTHENTICATED, exc.message)
        if principal.via is Via.ADMIN_SECRET:
            self._state.authenticator.record_admin_secret_use(principal, "grpc TraceService/Export")
        denial = decide(principal, Action.INGEST)
        if denial is not None:
            code = grpc.StatusCode.UNAUTHENTICATED if denial.status == 401 else grpc.StatusCode.PERMISSION_DENIED
            await context.abort(code, denial.rest_message)
        return principal

    async def export(self, body: bytes, context: grpc.aio.ServicerContext) -> bytes:
        principal = await self._principal(context)
        try:
            message = decode.parse_protobuf(body)
            result = await run_export(principal, self._state, message)
        except InvalidInput as exc:
            await context.abort(grpc.StatusCode.INVALID_ARGUMENT, exc.message)
        except NotAllowed as exc:
            await context.abort(grpc.StatusCode.PERMISSION_DENIED, exc.denial.rest_message)
        except Overloaded as exc:
            context.set_trailing_metadata((("retry-after", str(exc.retry_after_seconds)),))
            await context.abort(grpc.StatusCode.UNAVAILABLE, exc.message)
        except Exception:
            # Never let gRPC describe an unexpected error to the client: it names internals.
            logger.exception("OTLP/gRPC export failed")
            await context.abort(grpc.StatusCode.INTERNAL, INTERNAL_ERROR)
        return decode.encode_response(result.rejected, result.message, as_json=False)


def _address(host: str, port: int) -> str:
    return f"[{host}]:{port}" if ":" in host and not host.startswith("[") else f"{host}:{port}"


@asynccontextmanager
async def grpc_server(state: AppState) -> AsyncIterator[int]:
    """Serve ``TraceService`` on ``settings.host``:``settings.grpc_port`` (0 picks a free port).

    Yields the bound port. Binding fails loudly (no port sharing with another process).
    """
    settings = state.settings
    limit = settings.max_request_body_bytes
    server = grpc.aio.server(
        options=[
            ("grpc.so_reuseport", 0),
            ("grpc.max_receive_message_length", limit),
            ("grpc.max_send_message_length", 4 * 1024 * 1024),
        ]
    )
    service = _TraceService(state)
    handler = grpc.method_handlers_generic_handler(
        SERVICE,
        {
            "Export": grpc.unary_unary_rpc_method_handler(
                service.export, request_deserializer=None, response_serializer=None
            )
        },
    )
    server.add_generic_rpc_handlers((handler,))
    port = server.add_insecure_port(_address(settings.host, settings.grpc_port))
    if port == 0:
        raise RuntimeError(f"cannot bind the OTLP/gRPC port {settings.host}:{settings.grpc_port}")
    await server.start()
    logger.info("OTLP/gRPC listening on %s", _address(settings.host, port))
    try:
        yield port
    finally:
        await server.stop(SHUTDOWN_GRACE_SECONDS)
