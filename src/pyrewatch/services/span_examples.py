"""Spans as dataset examples: a span's input, output and metadata become one example that
remembers its span, appended to a dataset (or a new one) as one new version."""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from pyrewatch.auth.policy import Action, require
from pyrewatch.auth.principal import Principal
from pyrewatch.db.models import Span
from pyrewatch.db.session import Session
from pyrewatch.errors import InvalidInput, NotFound
from pyrewatch.services.dataset_files import UploadRow
from pyrewatch.services.dataset_uploads import UploadRequest, UploadResult, upload_dataset
from pyrewatch.services.datasets import resolve_dataset
from pyrewatch.store import spans as span_store

__all__ = ["MAX_SPANS", "add_spans_to_dataset", "span_example"]

MAX_SPANS = 1000


def _dig(data: Any, *path: str) -> Any:
    for key in path:
        data = data.get(key) if isinstance(data, dict) else None
    return data


def _value(attributes: dict[str, Any], key: str, name: str) -> dict[str, Any]:
    value = _dig(attributes, key, "value")
    if value is None:
        return {}
    if _dig(attributes, key, "mime_type") == "application/json" and isinstance(value, str):
        try:
            parsed = json.loads(value)
        except ValueError:
            parsed = None
        if isinstance(parsed, dict):
            return parsed
    return {name: value}


def _unwrapped(raw: Any, key: str) -> list[Any]:
    """The items of a flattened OpenInference list (``[{"message": {...}}]`` → ``[{...}]``)."""
    if not isinstance(raw, list):
        return []
    return [item.get(key, item) if isinstance(item, dict) else item for item in raw]


def span_example(span: Span) -> UploadRow:
    """LLM spans give their messages; retrievers their query and documents; other spans their
    ``input.value`` and ``output.value`` (a JSON object is taken as it is)."""
    attributes = span.attributes or {}
    kind = span.span_kind.upper()
    input_: dict[str, Any]
    output: dict[str, Any]
    if kind == "LLM" and _dig(attributes, "llm", "input_messages"):
        input_ = {"messages": _unwrapped(_dig(attributes, "llm", "input_messages"), "message")}
        output = {"messages": _unwrapped(_dig(attributes, "llm", "output_messages"), "message")}
    elif kind == "RETRIEVER":
        input_ = _value(attributes, "input", "input")
        documents = _dig(attributes, "retrieval", "documents")
        output = {"documents": _unwrapped(documents, "document")} if isinstance(documents, list) else {}
    else:
        input_ = _value(attributes, "input", "input")
        output = _value(attributes, "output", "output")
    raw_metadata = attributes.get("metadata")
    metadata: dict[str, Any] = raw_metadata if isinstance(raw_metadata, dict) else {}
    return UploadRow(input=input_, output=output, metadata={**metadata, "span_kind": kind}, span_id=span.span_id)


async def add_spans_to_dataset(
    session: Session,
    principal: Principal,
    span_ids: Sequence[str],
    *,
    dataset_gid: str | None = None,
    new_name: str | None = None,
) -> UploadResult:
    """Append the spans (OTel span ids, in the order given) to a dataset, or create one named
    ``new_name`` from them.

    Raises:
        InvalidInput: no spans or too many, neither or both of a dataset and a new name.
        NotFound: the dataset, or a span that is not stored.
        Conflict: ``new_name`` is taken.
    """
    require(principal, Action.WRITE)
    unique = list(dict.fromkeys(s.strip().lower() for s in span_ids if s.strip()))
    if not unique:
        raise InvalidInput("Select at least one span.")
    if len(unique) > MAX_SPANS:
        raise InvalidInput(f"At most {MAX_SPANS} spans can be added at once.")
    if any(len(s) != 16 or s.strip("0123456789abcdef") for s in unique):
        raise InvalidInput("Span ids are 16 hexadecimal characters.")
    if (dataset_gid is None) == (new_name is None):
        raise InvalidInput("Choose a dataset, or name a new one (not both).")
    found = await span_store.spans_by_span_ids(session, unique)
    missing = [s for s in unique if s not in found]
    if missing:
        raise NotFound(f"Spans not found: {', '.join(missing[:5])}")
    rows = [span_example(found[s]) for s in unique]
    if new_name is not None:
        request = UploadRequest(action="create", name=new_name, description=None, rows=rows)
    else:
        dataset = await resolve_dataset(session, dataset_gid or "")
        request = UploadRequest(action="append", name=dataset.name, description=None, rows=rows)
    return await upload_dataset(session, principal, request)
