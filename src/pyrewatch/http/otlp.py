"""OTLP over HTTP: ``POST /v1/traces`` (binary protobuf or OTLP/JSON).

Checks, in order: the caller may ingest (the middleware has already authenticated it), content
type, content encoding, body size (while streaming and again after decompression), then the
message. The answer is an ``ExportTraceServiceResponse`` in the request's encoding, sent after
the spans are committed; ``partial_success`` reports spans that were rejected.
"""

from __future__ import annotations

import logging
import zlib
from dataclasses import dataclass
from typing import Any

from fastapi import APIRouter
from starlette.requests import ClientDisconnect, Request
from starlette.responses import PlainTextResponse, Response

from pyrewatch.auth.principal import Principal
from pyrewatch.errors import BadRequest, InvalidInput
from pyrewatch.http.deps import AppStateDep, PrincipalDep
from pyrewatch.http.state import AppState
from pyrewatch.ingest import decode
from pyrewatch.ingest.writer import IngestWriter
from pyrewatch.services import ingest as ingest_service
from pyrewatch.services import projects as projects_service

router = APIRouter(include_in_schema=False)
logger = logging.getLogger(__name__)

PROTOBUF = "application/x-protobuf"
JSON = "application/json"
TOO_LARGE = "Request body is larger than the limit of {} bytes"


@dataclass(frozen=True)
class ExportResult:
    rejected: int
    message: str


def writer_of(state: AppState) -> IngestWriter:
    return state.ingest_writer


async def run_export(
    principal: Principal, state: AppState, request: Any, project_override: str | None = None
) -> ExportResult:
    """Decode a parsed ``ExportTraceServiceRequest``, store its spans, describe the outcome."""
    decoded = decode.decode_export(request, project_override, projects_service.check_project_name)
    projects = {span.project_name for span in decoded.spans}
    outcome = await ingest_service.export_spans(principal, writer_of(state), decoded.spans, projects)
    notes = list(decoded.reasons)
    if outcome.refused:
        notes.append(outcome.refusal)
    if outcome.already_stored:
        notes.append(f"{outcome.already_stored} span(s) with an already stored span_id were ignored")
    return ExportResult(rejected=decoded.rejected + outcome.refused, message="; ".join(notes))


def header_project(request: Request) -> str | None:
    """The ``x-project-name`` header, if given.

    Raises:
        BadRequest: the name breaks the project-name rule (every span of the request would be).
    """
    name = request.headers.get("x-project-name") or None
    if name is not None:
        try:
            projects_service.check_project_name(name)
        except InvalidInput as exc:
            raise BadRequest(f"Invalid x-project-name header: {exc.message}") from None
    return name


class _TooLarge(Exception):
    pass


async def _read_body(request: Request, limit: int) -> bytes:
    declared = request.headers.get("content-length")
    if declared is not None and declared.isdigit() and int(declared) > limit:
        raise _TooLarge
    chunks: list[bytes] = []
    size = 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            raise _TooLarge
        chunks.append(chunk)
    return b"".join(chunks)


def _decompress(body: bytes, encoding: str, limit: int) -> bytes:
    """Inflate ``body`` without ever holding more than ``limit`` bytes of output.

    Gzip bodies may hold several members one after another (RFC 1952); their outputs join.
    """
    if encoding in ("", "identity") or not body:
        return body
    attempts = [16 + zlib.MAX_WBITS] if encoding == "gzip" else [zlib.MAX_WBITS, -zlib.MAX_WBITS]
    for wbits in attempts:
        try:
            return _inflate(body, wbits, limit, members=encoding == "gzip")
        except zlib.error:
            continue
    raise BadRequest(f"Request body is not valid {encoding} data")


def _inflate(body: bytes, wbits: int, limit: int, *, members: bool) -> bytes:
    out: list[bytes] = []
    size = 0
    rest = body
    while True:
        inflater = zlib.decompressobj(wbits)
        chunk = inflater.decompress(rest, limit + 1 - size)
        size += len(chunk)
        if size > limit:
            raise _TooLarge
        out.append(chunk)
        if not inflater.eof:
            # Output stopped short of the limit without reaching the end: truncated input.
            raise zlib.error("incomplete stream")
        rest = inflater.unused_data
        if not rest:
            return b"".join(out)
        if not members:
            raise zlib.error("data after the end of the stream")


def _media_type(value: str) -> str:
    return value.split(";", 1)[0].strip().lower()


@router.post("/v1/traces")
async def post_traces(request: Request, principal: PrincipalDep, state: AppStateDep) -> Response:
    ingest_service.authorize_export(principal)
    raw_type = request.headers.get("content-type", "")
    media_type = _media_type(raw_type)
    if media_type not in (PROTOBUF, JSON):
        return PlainTextResponse(f"Unsupported content type: {raw_type}", status_code=415)
    encoding = request.headers.get("content-encoding", "").strip().lower()
    if encoding not in ("", "identity", "gzip", "deflate"):
        return PlainTextResponse(f"Unsupported content encoding: {encoding}", status_code=415)
    project = header_project(request)
    limit = state.settings.max_request_body_bytes
    try:
        body = _decompress(await _read_body(request, limit), encoding, limit)
    except _TooLarge:
        return PlainTextResponse(TOO_LARGE.format(limit), status_code=413)
    except ClientDisconnect:
        logger.info("OTLP export abandoned: the client disconnected while sending the body")
        return Response(status_code=400)
    as_json = media_type == JSON
    message = decode.parse_json(body) if as_json else decode.parse_protobuf(body)
    result = await run_export(principal, state, message, project)
    return Response(
        content=decode.encode_response(result.rejected, result.message, as_json=as_json),
        media_type=JSON if as_json else PROTOBUF,
    )
