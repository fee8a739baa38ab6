"""View models of the prompt pages: a version's template as text, its settings, and a line diff
between two versions."""

from __future__ import annotations

import difflib
import json
from typing import Any

from pyrewatch.db.models import PromptVersion


def _part_text(part: Any) -> str:
    if isinstance(part, dict) and part.get("type") == "text" and isinstance(part.get("text"), str):
        return str(part["text"])
    return json.dumps(part, ensure_ascii=False, sort_keys=True)


def template_text(version: PromptVersion) -> str:
    """The template as a person reads it: each chat message as ``role:`` and its parts."""
    template = version.template or {}
    if template.get("type") == "string" or "template" in template:
        return str(template.get("template", ""))
    lines: list[str] = []
    for message in template.get("messages") or []:
        if not isinstance(message, dict):
            continue
        lines.append(f"[{message.get('role', '')}]")
        content = message.get("content")
        parts = content if isinstance(content, list) else [{"type": "text", "text": content}]
        lines.extend(_part_text(p) for p in parts)
        lines.append("")
    return "\n".join(lines).rstrip("\n")


def settings(version: PromptVersion) -> list[tuple[str, str]]:
    """The settings a version pins, as (name, text) pairs in a fixed order."""

    def text(value: Any) -> str:
        return "—" if value in (None, {}, []) else json.dumps(value, ensure_ascii=False, sort_keys=True)

    return [
        ("Model provider", version.model_provider),
        ("Model", version.model_name),
        ("Template format", version.template_format),
        ("Template type", version.template_type),
        ("Invocation parameters", text(version.invocation_parameters)),
        ("Tools", text(version.tools)),
        ("Response format", text(version.response_format)),
    ]


def line_diff(before: str, after: str) -> list[tuple[str, str]]:
    """``("same" | "del" | "ins", line)`` rows turning ``before`` into ``after``."""
    rows: list[tuple[str, str]] = []
    for line in difflib.ndiff(before.splitlines(), after.splitlines()):
        tag, text = line[:2], line[2:]
        if tag == "  ":
            rows.append(("same", text))
        elif tag == "- ":
            rows.append(("del", text))
        elif tag == "+ ":
            rows.append(("ins", text))
    return rows


def version_diff(older: PromptVersion, newer: PromptVersion) -> dict[str, Any]:
    before, after = settings(older), settings(newer)
    return {
        "template": line_diff(template_text(older), template_text(newer)),
        "settings": [
            {"name": name, "before": old, "after": new, "changed": old != new}
            for (name, old), (_, new) in zip(before, after, strict=True)
        ],
    }
