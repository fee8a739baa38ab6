"""Prompts through the real ``phoenix.client.Client`` and raw REST, on SQLite and PostgreSQL."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient
from phoenix.client import Client
from phoenix.client.types.prompts import PromptVersion

pytestmark = pytest.mark.filterwarnings("ignore:You should not use the 'timeout' argument")


@pytest.fixture
def phoenix(client: TestClient) -> Client:
    return Client(http_client=client)


def _chat_version(**overrides: Any) -> dict[str, Any]:
    version: dict[str, Any] = {
        "model_provider": "OPENAI",
        "model_name": "gpt-4o-mini",
        "template_type": "CHAT",
        "template_format": "MUSTACHE",
        "template": {"type": "chat", "messages": [{"role": "user", "content": "Q: {{question}}"}]},
        "invocation_parameters": {"type": "openai", "openai": {"temperature": 0.2}},
    }
    version.update(overrides)
    return version


def test_client_create_get_tag_update_delete(phoenix: Client, client: TestClient) -> None:
    messages: Any = [{"role": "system", "content": "You are a bot."}, {"role": "user", "content": "Q: {{question}}"}]
    first = phoenix.prompts.create(
        name="qa-bot",
        version=PromptVersion(messages, model_name="gpt-4o-mini"),
        prompt_description="answers",
        prompt_metadata={"team": "a"},
    )
    second = phoenix.prompts.create(name="qa-bot", version=PromptVersion(messages, model_name="gpt-4o"))
    assert first.id != second.id
    assert phoenix.prompts.get(prompt_identifier="qa-bot").id == second.id
    assert phoenix.prompts.get(prompt_version_id=first.id).id == first.id

    assert first.id is not None and second.id is not None
    phoenix.prompts.tags.create(prompt_version_id=first.id, name="production", description="live")
    assert phoenix.prompts.get(prompt_identifier="qa-bot", tag="production").id == first.id
    assert [(t["name"], t.get("description")) for t in phoenix.prompts.tags.list(prompt_version_id=first.id)] == [
        ("production", "live")
    ]
    # Setting the tag on another version moves it.
    phoenix.prompts.tags.create(prompt_version_id=second.id, name="production")
    assert phoenix.prompts.get(prompt_identifier="qa-bot", tag="production").id == second.id
    assert phoenix.prompts.tags.list(prompt_version_id=first.id) == []

    updated = phoenix.prompts.update(prompt_identifier="qa-bot", prompt_description="changed")
    assert updated["description"] == "changed"
    assert updated["metadata"] == {"team": "a"}
    phoenix.prompts.delete(prompt_identifier="qa-bot")
    # (The in-process transport raises its own HTTP error type, so check the wire instead of the
    # client's ValueError.)
    assert client.get("/v1/prompts/qa-bot/latest").status_code == 404
    assert client.get(f"/v1/prompt_versions/{first.id}").status_code == 404


def test_fetched_prompt_formats_for_openai_and_anthropic(phoenix: Client) -> None:
    """The client's own formatters work on what the server returns. (Its Google formatter needs
    google-genai, whose httpx2 dependency would change Starlette's test transport for the whole
    suite; the Google version's shape is checked as stored and fetched.)"""
    messages: Any = [{"role": "system", "content": "You are a bot."}, {"role": "user", "content": "Q: {{question}}"}]
    for name, provider in (("p-openai", "OPENAI"), ("p-anthropic", "ANTHROPIC"), ("p-google", "GOOGLE")):
        phoenix.prompts.create(name=name, version=PromptVersion(messages, model_name="m1", model_provider=provider))  # type: ignore[arg-type]
    openai = phoenix.prompts.get(prompt_identifier="p-openai").format(variables={"question": "hi"})
    assert list(openai.messages) == [
        {"role": "system", "content": "You are a bot."},
        {"role": "user", "content": "Q: hi"},
    ]
    assert openai.kwargs["model"] == "m1"
    anthropic = phoenix.prompts.get(prompt_identifier="p-anthropic").format(variables={"question": "hi"})
    assert anthropic.kwargs["model"] == "m1"
    assert anthropic.kwargs["system"] == "You are a bot."
    assert [m["role"] for m in anthropic.messages] == ["user"]
    google = phoenix.prompts.get(prompt_identifier="p-google")
    assert (google._model_provider, google._model_name) == ("GOOGLE", "m1")


def test_version_shape_round_trips_tools_and_response_format(client: TestClient) -> None:
    tools = {
        "type": "tools",
        "tools": [{"type": "function", "function": {"name": "search", "parameters": {"type": "object"}}}],
        "tool_choice": {"type": "zero_or_more"},
    }
    response_format = {"type": "json_schema", "json_schema": {"name": "answer", "schema": {"type": "object"}}}
    body = {"prompt": {"name": "tooled"}, "version": _chat_version(tools=tools, response_format=response_format)}
    created = client.post("/v1/prompts", json=body)
    assert created.status_code == 200, created.text
    data = created.json()["data"]
    assert data["tools"] == tools
    assert data["response_format"] == response_format
    assert data["description"] == ""
    assert "metadata" not in data
    plain = client.post("/v1/prompts", json={"prompt": {"name": "plain"}, "version": _chat_version()}).json()["data"]
    assert "tools" not in plain and "response_format" not in plain
    listed = client.get("/v1/prompts").json()
    assert [p["name"] for p in listed["data"]] == ["plain", "tooled"]
    assert client.get("/v1/prompts/tooled/versions").json()["data"] == [data]


def test_prompt_errors_have_phoenix_status_and_text(client: TestClient) -> None:
    string_template = _chat_version(template_type="STR", template={"type": "string", "template": "hi {{x}}"})
    response = client.post("/v1/prompts", json={"prompt": {"name": "s"}, "version": string_template})
    assert (response.status_code, response.text) == (422, "Only CHAT template type is supported for prompts")
    response = client.post("/v1/prompts", json={"prompt": {"name": "Bad Name"}, "version": _chat_version()})
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"][-1] == "name"
    wrong_params = _chat_version(
        model_provider="ANTHROPIC", invocation_parameters={"type": "anthropic", "anthropic": {}}
    )
    response = client.post("/v1/prompts", json={"prompt": {"name": "a"}, "version": wrong_params})
    assert response.status_code == 422 and "max_tokens" in response.text
    assert client.get("/v1/prompts").json()["data"] == []
    assert (client.get("/v1/prompts/nope/latest").status_code, client.get("/v1/prompts/nope/latest").text) == (
        404,
        "Not Found",
    )
    assert client.get("/v1/prompts/Not%20A%20Name/latest").text == "Invalid prompt name"
    assert client.get("/v1/prompt_versions/xyz").text == "Invalid prompt version ID"
    client.post("/v1/prompts", json={"prompt": {"name": "p"}, "version": _chat_version()})
    assert client.get("/v1/prompts/p/tags/absent").status_code == 404
    assert client.get("/v1/prompts/p/tags/Bad%20Tag").text == "Invalid tag name"
    assert client.delete("/v1/prompts/absent").text == "Prompt not found"
