"""Datasets, experiments with runs and evaluations, prompt versions and sessions, made through
the public APIs (REST and OTLP) of a test client or a running server."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import httpx

from tests.support.otlp import protobuf_body, recording

T0, T1 = "2026-11-29T12:00:00+00:00", "2026-11-29T12:00:01.250000+00:00"
CHAT_VERSION: dict[str, Any] = {
    "model_provider": "OPENAI",
    "model_name": "gpt-4o",
    "template_type": "CHAT",
    "template_format": "MUSTACHE",
    "template": {
        "type": "chat",
        "messages": [
            {"role": "system", "content": "You are a terse assistant."},
            {"role": "user", "content": "Answer {{question}} in one word."},
        ],
    },
    "invocation_parameters": {"type": "openai", "openai": {"temperature": 0.2}},
}


@dataclass(frozen=True)
class Seeded:
    dataset_id: str
    experiment_ids: list[str]
    prompt_id: str
    version_ids: list[str]


def _data(response: httpx.Response) -> Any:
    assert response.status_code < 300, response.text
    return response.json()["data"]


def _experiment(client: httpx.Client, dataset_id: str, name: str, outputs: list[str], scores: list[float]) -> str:
    experiment = _data(client.post(f"/v1/datasets/{dataset_id}/experiments", json={"name": name}))
    examples = _data(client.get(f"/v1/datasets/{dataset_id}/examples"))["examples"]
    for example, output, score in zip(examples, outputs, scores, strict=True):
        run = {"dataset_example_id": example["id"], "output": output, "repetition_number": 1}
        run_id = _data(
            client.post(f"/v1/experiments/{experiment['id']}/runs", json={**run, "start_time": T0, "end_time": T1})
        )["id"]
        evaluation = {
            "experiment_run_id": run_id,
            "name": "correct",
            "annotator_kind": "CODE",
            "start_time": T0,
            "end_time": T1,
        }
        label = "yes" if score >= 0.5 else "no"
        _data(
            client.post("/v1/experiment_evaluations", json={**evaluation, "result": {"score": score, "label": label}})
        )
    experiment_id: str = experiment["id"]
    return experiment_id


def seed_evaluation(client: httpx.Client, examples: int = 3, name: str = "capitals") -> Seeded:
    """A dataset of ``examples`` capital-city questions, two experiments that answer them (the
    second better), and a prompt with two versions, the first tagged ``production``."""
    countries = [f"country {i}" for i in range(examples)]
    upload = {
        "name": name,
        "description": "Capital cities",
        "inputs": [{"question": f"What is the capital of {c}?"} for c in countries],
        "outputs": [{"answer": f"City {i}"} for i in range(examples)],
    }
    dataset_id = _data(client.post("/v1/datasets/upload?sync=true", json=upload))["dataset_id"]
    baseline = _experiment(
        client, dataset_id, "baseline", [f"The capital is town {i}" for i in range(examples)], [0.0] * examples
    )
    improved = _experiment(
        client, dataset_id, "improved", [f"The capital is City {i}" for i in range(examples)], [1.0] * examples
    )
    first = _data(client.post("/v1/prompts", json={"prompt": {"name": f"{name}-qa"}, "version": CHAT_VERSION}))
    changed = dict(CHAT_VERSION, model_name="gpt-4o-mini")
    changed["template"] = {
        "type": "chat",
        "messages": [
            {"role": "system", "content": "You are a terse, accurate assistant."},
            {"role": "user", "content": "Answer {{question}} in one word."},
        ],
    }
    second = _data(client.post("/v1/prompts", json={"prompt": {"name": f"{name}-qa"}, "version": changed}))
    assert client.post(f"/v1/prompt_versions/{first['id']}/tags", json={"name": "production"}).status_code < 300
    return Seeded(dataset_id, [baseline, improved], f"{name}-qa", [first["id"], second["id"]])


def send_session_traces(client: httpx.Client, project: str, session_id: str, turns: int) -> None:
    """``turns`` traces of one conversation, each a root span with its input and output."""
    with recording(project) as (tracer, exporter):
        for turn in range(turns):
            attributes = {
                "openinference.span.kind": "CHAIN",
                "session.id": session_id,
                "user.id": "ada",
                "input.value": f"question {turn}",
                "output.value": f"answer {turn}",
            }
            with (
                tracer.start_as_current_span(f"turn-{turn}", attributes=attributes),
                tracer.start_as_current_span("llm") as llm,
            ):
                llm.set_attribute("openinference.span.kind", "LLM")
                llm.set_attribute("llm.token_count.prompt", 10)
                llm.set_attribute("llm.token_count.completion", 2)
        spans = list(exporter.get_finished_spans())
    response = client.post(
        "/v1/traces", content=protobuf_body(spans), headers={"content-type": "application/x-protobuf"}
    )
    assert response.status_code == 200, response.text
