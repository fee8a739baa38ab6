"""``node(id:)`` for spans and traces (registered on import)."""

from __future__ import annotations

from pyrewatch.auth.policy import Action
from pyrewatch.db.models import Span as SpanModel
from pyrewatch.db.session import Session
from pyrewatch.errors import NotFound
from pyrewatch.http.graphql.calls import call_service
from pyrewatch.http.graphql.context import Context
from pyrewatch.http.graphql.errors import GraphQLDenied
from pyrewatch.http.graphql.nodes import register_node
from pyrewatch.http.graphql.permissions import require
from pyrewatch.http.graphql.types.node import Node
from pyrewatch.http.graphql.types.tracing import Span, Trace
from pyrewatch.ids import encode_global_id
from pyrewatch.services import spans as span_service
from pyrewatch.services import traces as trace_service
from pyrewatch.services.traces import TraceView

TRACING_TYPES = [Span, Trace]


async def _span_node(context: Context, row_id: int) -> Node:
    require(context, Action.READ)

    async def find(session: Session) -> tuple[SpanModel, str]:
        try:
            return await span_service.get_span(session, context.principal, row_id)
        except NotFound:
            raise GraphQLDenied(f"Unknown Span: {encode_global_id('Span', row_id)}") from None

    span, trace_id = await call_service(context, find)
    return Span.from_row(span, trace_id)


async def _trace_node(context: Context, row_id: int) -> Node:
    require(context, Action.READ)

    async def find(session: Session) -> TraceView:
        try:
            return await trace_service.get_trace(session, context.principal, row_id)
        except NotFound:
            raise GraphQLDenied(f"Unknown Trace: {encode_global_id('Trace', row_id)}") from None

    view = await call_service(context, find)
    return Trace.from_view(view)


register_node("Span", _span_node)
register_node("Trace", _trace_node)
