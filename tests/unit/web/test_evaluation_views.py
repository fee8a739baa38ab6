"""The word diff of experiment outputs, prompt templates as text and their line diff, and how a
span becomes a dataset example."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from pyrewatch.db.models import PromptVersion, Span
from pyrewatch.http.web.comparison import MAX_DIFF_CHARS, as_text, word_diff
from pyrewatch.http.web.prompt_view import line_diff, template_text, version_diff
from pyrewatch.services.span_examples import span_example


def _apply(segments: list[tuple[str, str]], keep: str) -> str:
    return "".join(text for op, text in segments if op in ("same", keep))


def test_word_diff_rebuilds_both_sides() -> None:
    before, after = "The capital is town 1.", "The capital is City 1, surely."
    segments = word_diff(before, after)
    assert _apply(segments, "del") == before and _apply(segments, "ins") == after
    assert ("del", "town") in segments and ("ins", "City") in segments
    assert word_diff("same text", "same text") == [("same", "same text")]


def test_word_diff_of_huge_outputs_is_whole() -> None:
    big = "x " * MAX_DIFF_CHARS
    assert word_diff(big, big + "y") == [("del", big), ("ins", big + "y")]
    assert word_diff(big, big) == [("same", big)]


def test_outputs_as_text() -> None:
    assert as_text("plain") == "plain"
    assert as_text({"b": 1, "a": [1, "é"]}) == '{\n  "a": [\n    1,\n    "é"\n  ],\n  "b": 1\n}'


def _version(template: dict[str, Any], model: str = "gpt-4o") -> PromptVersion:
    return PromptVersion(
        template=template,
        template_type="CHAT",
        template_format="MUSTACHE",
        invocation_parameters={"type": "openai", "openai": {}},
        model_provider="OPENAI",
        model_name=model,
    )


def test_chat_and_string_templates_as_text() -> None:
    chat = {
        "type": "chat",
        "messages": [
            {"role": "system", "content": "Be brief."},
            {"role": "user", "content": [{"type": "text", "text": "Hi {{name}}"}, {"type": "image", "url": "u"}]},
        ],
    }
    assert template_text(_version(chat)) == (
        '[system]\nBe brief.\n\n[user]\nHi {{name}}\n{"type": "image", "url": "u"}'
    )
    assert template_text(_version({"type": "string", "template": "Say {{x}}"})) == "Say {{x}}"


def test_version_diff_marks_lines_and_settings() -> None:
    assert line_diff("a\nb\nc", "a\nB\nc") == [("same", "a"), ("del", "b"), ("ins", "B"), ("same", "c")]
    older = _version({"type": "string", "template": "one"})
    newer = _version({"type": "string", "template": "two"}, model="gpt-5")
    diff = version_diff(older, newer)
    assert diff["template"] == [("del", "one"), ("ins", "two")]
    changed = [s["name"] for s in diff["settings"] if s["changed"]]
    assert changed == ["Model"]


def _span(kind: str, attributes: dict[str, Any]) -> Span:
    moment = datetime(2026, 1, 1, tzinfo=UTC)
    return Span(span_id="a" * 16, span_kind=kind, attributes=attributes, start_time=moment, end_time=moment)


def test_spans_become_examples() -> None:
    chain = span_example(
        _span(
            "CHAIN",
            {
                "input": {"value": '{"q": 1}', "mime_type": "application/json"},
                "output": {"value": "done"},
                "metadata": {"team": "x"},
            },
        )
    )
    assert (chain.input, chain.output, chain.metadata, chain.span_id) == (
        {"q": 1},
        {"output": "done"},
        {"team": "x", "span_kind": "CHAIN"},
        "a" * 16,
    )
    messages = {"input_messages": [{"message": {"role": "user", "content": "hi"}}]}
    llm = span_example(_span("LLM", {"llm": {**messages, "output_messages": [{"message": {"role": "assistant"}}]}}))
    assert llm.input == {"messages": [{"role": "user", "content": "hi"}]}
    assert llm.output == {"messages": [{"role": "assistant"}]}
    documents = {"retrieval": {"documents": [{"document": {"content": "d"}}]}, "input": {"value": "q"}}
    retriever = span_example(_span("RETRIEVER", documents))
    assert (retriever.input, retriever.output) == ({"input": "q"}, {"documents": [{"content": "d"}]})
    bare = span_example(_span("TOOL", {"input": {"value": "[1]", "mime_type": "application/json"}}))
    assert (bare.input, bare.output) == ({"input": "[1]"}, {})
