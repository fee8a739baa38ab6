"""OpenInference interpretation of a span's flat attributes. Pure.

Order: ``gen_ai.*`` fill-ins (never overwriting), token counts to int, JSON-string metadata to
objects, non-string ``input.value``/``output.value`` to JSON text, then unflattening of dotted
keys into nested JSON. The span kind comes from ``openinference.span.kind``.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

SPAN_KINDS = frozenset(
    {
        "TOOL",
        "CHAIN",
        "LLM",
        "PROMPT",
        "RETRIEVER",
        "EMBEDDING",
        "AGENT",
        "RERANKER",
        "EVALUATOR",
        "GUARDRAIL",
        "DECISION",
        "UNKNOWN",
    }
)
SPAN_KIND = "openinference.span.kind"
TOKEN_PROMPT = "llm.token_count.prompt"
TOKEN_COMPLETION = "llm.token_count.completion"
TOKEN_TOTAL = "llm.token_count.total"
# Nesting kept from dotted keys and from JSON-string metadata; deeper parts stay flat or text.
MAX_KEY_DEPTH = 32
MAX_JSON_DEPTH = 64
_JSON_SUFFIXES = ("metadata", "llm.prompt_template.variables", "tool.parameters")
# gen_ai semantic conventions → OpenInference, applied only where the span lacks the latter.
_GEN_AI_RENAMES = (
    ("gen_ai.usage.input_tokens", TOKEN_PROMPT),
    ("gen_ai.usage.prompt_tokens", TOKEN_PROMPT),
    ("gen_ai.usage.output_tokens", TOKEN_COMPLETION),
    ("gen_ai.usage.completion_tokens", TOKEN_COMPLETION),
    ("gen_ai.usage.total_tokens", TOKEN_TOTAL),
    ("gen_ai.response.model", "llm.model_name"),
    ("gen_ai.request.model", "llm.model_name"),
    ("gen_ai.provider.name", "llm.provider"),
    ("gen_ai.system", "llm.system"),
)
_GEN_AI_KINDS = {
    "chat": "LLM",
    "text_completion": "LLM",
    "generate_content": "LLM",
    "embeddings": "EMBEDDING",
    "execute_tool": "TOOL",
    "invoke_agent": "AGENT",
    "create_agent": "AGENT",
}


@dataclass(frozen=True, slots=True)
class Interpreted:
    attributes: dict[str, Any]  # nested
    span_kind: str
    token_count_prompt: int | None
    token_count_completion: int | None


def interpret(flat: dict[str, Any]) -> Interpreted:
    """Apply the OpenInference rules to a span's flat attributes."""
    flat = dict(flat)
    _fill_from_gen_ai(flat)
    for key in (TOKEN_PROMPT, TOKEN_COMPLETION, TOKEN_TOTAL):
        if key in flat:
            flat[key] = as_int(flat[key], flat[key])
    for key, value in list(flat.items()):
        if isinstance(value, str) and key.endswith(_JSON_SUFFIXES):
            flat[key] = _json_object_or(value)
    for prefix in ("input", "output"):
        value = flat.get(f"{prefix}.value")
        if value is not None and not isinstance(value, str):
            flat[f"{prefix}.value"] = json.dumps(value, ensure_ascii=False)
            flat[f"{prefix}.mime_type"] = "application/json"
    raw_kind = flat.get(SPAN_KIND)
    kind = raw_kind.upper() if isinstance(raw_kind, str) else "UNKNOWN"
    kind = kind if kind in SPAN_KINDS else "UNKNOWN"
    prompt = completion = None
    if kind == "LLM":
        prompt = as_int(flat.get(TOKEN_PROMPT) or 0, 0)
        completion = as_int(flat.get(TOKEN_COMPLETION) or 0, 0)
    return Interpreted(unflatten(flat), kind, prompt, completion)


def _fill_from_gen_ai(flat: dict[str, Any]) -> None:
    if not any(key.startswith("gen_ai.") for key in flat):
        return
    for source, target in _GEN_AI_RENAMES:
        if source in flat and target not in flat:
            flat[target] = flat[source]
    operation = flat.get("gen_ai.operation.name")
    if SPAN_KIND not in flat and isinstance(operation, str) and operation in _GEN_AI_KINDS:
        flat[SPAN_KIND] = _GEN_AI_KINDS[operation]


def as_int(value: Any, fallback: Any) -> Any:
    """``value`` as an int when it is one in disguise ("7", 7.0), else ``fallback``.

    Integers beyond 64 bits are kept as they are given: the database columns are 64-bit at most.
    """
    if isinstance(value, bool):
        return fallback
    if isinstance(value, int):
        return value if -(2**31) <= value < 2**31 else fallback
    try:
        number = float(value) if isinstance(value, str) else value
        if isinstance(number, float) and number.is_integer() and -(2**31) <= number < 2**31:
            return int(number)
    except ValueError:
        pass
    return fallback


def _json_object_or(text: str) -> Any:
    try:
        parsed = json.loads(text)
    except (ValueError, RecursionError):
        return text
    return parsed if isinstance(parsed, dict) and _depth_at_most(parsed, MAX_JSON_DEPTH) else text


def _depth_at_most(value: Any, limit: int) -> bool:
    """Whether ``value`` nests at most ``limit`` containers deep (iterative: any input is safe)."""
    stack: list[tuple[Any, int]] = [(value, 1)]
    while stack:
        node, depth = stack.pop()
        children = node.values() if isinstance(node, dict) else node if isinstance(node, list) else None
        if children is None:
            continue
        if depth > limit:
            return False
        stack.extend((child, depth + 1) for child in children)
    return True


def unflatten(flat: dict[str, Any]) -> dict[str, Any]:
    """``{"a.b.0.c": 1}`` → ``{"a": {"b": [{"c": 1}]}}``.

    Numeric path segments make lists (ordered by index, gaps closed). When a key is both a value
    and a prefix of other keys ("a" and "a.b"), the longer key stays flat at the point of
    conflict so no value is lost. Keys nest at most ``MAX_KEY_DEPTH`` levels: the rest of a
    longer key stays one flat key at that level.
    """
    root: dict[str, Any] = {}
    for key in sorted(flat, key=lambda k: (k.count("."), k)):
        _place(root, key, flat[key])
    return _listify(root)


def _place(root: dict[str, Any], key: str, value: Any) -> None:
    node = root
    parts = key.split(".", MAX_KEY_DEPTH - 1)
    for index, part in enumerate(parts[:-1]):
        child = node.get(part)
        if child is None:
            child = node[part] = _Branch()
        elif not isinstance(child, _Branch):
            node[".".join(parts[index:])] = value
            return
        node = child
    node[parts[-1]] = value


class _Branch(dict[str, Any]):
    """A node created by unflattening (as opposed to a dict value given by the span)."""


def _listify(node: dict[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in node.items():
        out[key] = _convert(value) if isinstance(value, _Branch) else value
    return out


def _convert(branch: _Branch) -> Any:
    converted = _listify(branch)
    if converted and all(k.isdigit() and len(k) < 10 for k in converted):
        return [converted[k] for k in sorted(converted, key=int)]
    return converted
