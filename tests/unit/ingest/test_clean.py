"""Cleaning of decoded values and the bounds on nesting."""

from __future__ import annotations

import json
from typing import Any

import pytest

from pyrewatch.ingest.attributes import MAX_JSON_DEPTH, MAX_KEY_DEPTH, interpret, unflatten
from pyrewatch.ingest.clean import MAX_DEPTH, clean_json, clean_text


@pytest.mark.parametrize(
    ("raw", "clean"),
    [
        ("plain", "plain"),
        ("a\x00b", "a\ufffdb"),
        ("\ud800", "\ufffd"),
        ("x\udfffy\x00", "x\ufffdy\ufffd"),
        ("ünï \U0001f600", "ünï \U0001f600"),
    ],
)
def test_clean_text_replaces_nul_and_lone_surrogates(raw: str, clean: str) -> None:
    assert clean_text(raw) == clean
    clean_text(raw).encode()


def test_clean_json_cleans_keys_values_and_numbers() -> None:
    value = {"k\x00": ["\ud800", float("nan"), float("-inf"), 1.5, 2**70, True, None, {"\udc00": "v"}]}
    assert clean_json(value) == {"k\ufffd": ["\ufffd", "nan", "-inf", 1.5, 2**70, True, None, {"\ufffd": "v"}]}


def test_clean_json_cuts_nesting_beyond_the_bound() -> None:
    deep: Any = "leaf"
    for _ in range(MAX_DEPTH + 10):
        deep = [deep]
    cleaned = clean_json(deep)
    depth = 0
    while isinstance(cleaned, list):
        cleaned, depth = cleaned[0], depth + 1
    assert (cleaned, depth) == (None, MAX_DEPTH)


def test_unflatten_bounds_the_nesting_of_very_long_keys() -> None:
    key = "a." * 1500 + "b"
    node: Any = unflatten({key: 1, "a.x": 2})
    assert node["a"]["x"] == 2
    for _ in range(MAX_KEY_DEPTH - 1):
        (node,) = [value for name, value in node.items() if name != "x"]
    assert node == {"a." * (1500 - MAX_KEY_DEPTH + 1) + "b": 1}
    json.dumps(unflatten({key: 1}))


def test_json_text_nested_deeper_than_the_bound_stays_text() -> None:
    shallow = '{"a":' * (MAX_JSON_DEPTH - 1) + "1" + "}" * (MAX_JSON_DEPTH - 1)
    deep = '{"a":' * (MAX_JSON_DEPTH + 1) + "1" + "}" * (MAX_JSON_DEPTH + 1)
    very_deep = '{"a":' * 100_000 + "1" + "}" * 100_000
    attributes = interpret({"metadata": shallow, "x.metadata": deep, "tool.parameters": very_deep}).attributes
    assert isinstance(attributes["metadata"], dict)
    assert attributes["x"]["metadata"] == deep
    assert attributes["tool"]["parameters"] == very_deep


def test_nul_and_surrogates_inside_json_text_are_cleaned_after_parsing() -> None:
    parsed = interpret({"metadata": '{"a":"\\u0000","\\ud800":"b"}'}).attributes["metadata"]
    assert clean_json(parsed) == {"a": "\ufffd", "\ufffd": "b"}
