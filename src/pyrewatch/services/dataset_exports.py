"""Dataset exports: CSV, JSONL and the two OpenAI JSONL shapes (fine-tuning and evals)."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator
from typing import Any

from pyrewatch.ids import encode_global_id
from pyrewatch.services.datasets import ExamplesAtVersion

__all__ = ["example_ids", "to_csv", "to_jsonl", "to_openai_evals", "to_openai_ft"]


def example_ids(example_id: int, external_id: str | None) -> tuple[str, str]:
    """(``id``, ``node_id``): the external id when one is set, and always the node GlobalID."""
    node_id = encode_global_id("DatasetExample", example_id)
    return (external_id or node_id), node_id


def _flatten(prefix: str, value: Any, out: dict[str, Any]) -> None:
    if isinstance(value, dict) and value:
        for key, item in value.items():
            _flatten(f"{prefix}.{key}", item, out)
    elif isinstance(value, list | dict):
        out[prefix] = json.dumps(value, ensure_ascii=False)
    else:
        out[prefix] = value


def _records(data: ExamplesAtVersion) -> Iterator[dict[str, Any]]:
    for item in data.examples:
        ext_id, node_id = example_ids(item.example.id, item.example.external_id)
        yield {
            "id": ext_id,
            "node_id": node_id,
            "input": item.revision.input,
            "output": item.revision.output,
            "metadata": item.revision.metadata_,
            "splits": [s.name for s in data.splits.get(item.example.id, [])],
        }


def to_csv(data: ExamplesAtVersion) -> str:
    rows: list[dict[str, Any]] = []
    columns: dict[str, None] = {"id": None, "node_id": None}
    for record in _records(data):
        flat: dict[str, Any] = {"id": record["id"], "node_id": record["node_id"]}
        for bucket in ("input", "output", "metadata"):
            for key, value in record[bucket].items():
                _flatten(f"{bucket}.{key}", value, flat)
        flat["splits"] = json.dumps(record["splits"])
        columns.update(dict.fromkeys(flat))
        rows.append(flat)
    ordered = ["id", "node_id"] + sorted(c for c in columns if c not in ("id", "node_id", "splits")) + ["splits"]
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=ordered, lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    return buffer.getvalue()


def _lines(objects: Iterator[dict[str, Any]]) -> str:
    return "".join(json.dumps(obj, ensure_ascii=False) + "\n" for obj in objects)


def to_jsonl(data: ExamplesAtVersion) -> str:
    return _lines(_records(data))


def _messages(value: dict[str, Any]) -> list[Any]:
    messages = value.get("messages")
    return messages if isinstance(messages, list) else []


def to_openai_ft(data: ExamplesAtVersion) -> str:
    def lines() -> Iterator[dict[str, Any]]:
        for record in _records(data):
            line: dict[str, Any] = {"messages": _messages(record["input"]) + _messages(record["output"])}
            tools = record["input"].get("tools")
            if tools:
                line["tools"] = tools
            yield line

    return _lines(lines())


def to_openai_evals(data: ExamplesAtVersion) -> str:
    def lines() -> Iterator[dict[str, Any]]:
        for record in _records(data):
            outputs = _messages(record["output"])
            last = outputs[-1] if outputs else None
            content = last.get("content") if isinstance(last, dict) else None
            yield {"messages": _messages(record["input"]), "ideal": content if isinstance(content, str) else ""}

    return _lines(lines())
