"""Wire models for sessions, named like Phoenix's OpenAPI components."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel

from pyrewatch.clock import isoformat
from pyrewatch.ids import encode_global_id
from pyrewatch.services.project_sessions import SESSION_TYPE, SessionView


class SessionTraceData(BaseModel):
    id: str
    trace_id: str
    start_time: datetime
    end_time: datetime


class SessionData(BaseModel):
    id: str
    session_id: str
    project_id: str
    start_time: datetime
    end_time: datetime
    traces: list[SessionTraceData]
    token_count_prompt: int = 0
    token_count_completion: int = 0
    token_count_total: int = 0
    # Pyrewatch addition: the first ``user.id`` seen on a span of the session.
    user_id: str | None = None


class GetSessionsResponseBody(BaseModel):
    data: list[SessionData]
    next_cursor: str | None


class GetSessionResponseBody(BaseModel):
    data: SessionData


class DeleteSessionsRequestBody(BaseModel):
    session_identifiers: list[str]


def session_json(view: SessionView) -> dict[str, Any]:
    row = view.session
    return {
        "id": encode_global_id(SESSION_TYPE, row.id),
        "session_id": row.session_id,
        "project_id": encode_global_id("Project", row.project_id),
        "start_time": isoformat(row.start_time),
        "end_time": isoformat(row.end_time),
        "traces": [
            {
                "id": encode_global_id("Trace", trace.id),
                "trace_id": trace.trace_id,
                "start_time": isoformat(trace.start_time),
                "end_time": isoformat(trace.end_time),
            }
            for trace in view.traces
        ],
        "token_count_prompt": view.tokens.prompt,
        "token_count_completion": view.tokens.completion,
        "token_count_total": view.tokens.prompt + view.tokens.completion,
        "user_id": row.user_id,
    }
