"""Experiments end to end: the real ``phoenix.client.Client`` against a real server, whose task
and evaluator spans arrive over OTLP, on SQLite and PostgreSQL."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import httpx
import pytest
from phoenix.client import Client
from phoenix.client.types.prompts import PromptVersion

from tests.support.constants import AUTH_ENV
from tests.support.http_auth import mint_system_key
from tests.support.server import ServerProcess

pytestmark = [pytest.mark.e2e, pytest.mark.filterwarnings("ignore::DeprecationWarning")]


def _answer(input: dict[str, Any]) -> str:  # noqa: A002  (the client binds the task argument by name)
    return _arithmetic(input["q"])


def _arithmetic(text: str) -> str:
    """The value of ``a<op>b`` for the one-operator sums the test's datasets hold."""
    left, op, right = re.fullmatch(r"(\d+)([-+*])(\d+)", text).groups()  # type: ignore[union-attr]
    a, b = int(left), int(right)
    return str(a + b if op == "+" else a - b if op == "-" else a * b)


def exact_match(output: str, expected: dict[str, Any]) -> bool:
    return bool(output == expected["a"])


def judge(input: dict[str, Any], output: str, expected: dict[str, Any]) -> dict[str, Any]:
    """Shaped like an LLM judge (label, score, explanation), decided locally."""
    correct = output == expected["a"]
    return {
        "label": "correct" if correct else "incorrect",
        "score": 1.0 if correct else 0.0,
        "explanation": f"{input['q']} -> {output}",
    }


def _flaky_task(fail_on: str) -> Callable[[dict[str, Any]], str]:
    def task(input: dict[str, Any]) -> str:  # noqa: A002
        if input["q"] == fail_on:
            raise RuntimeError("interrupted")
        return _answer(input)

    return task


def test_run_get_evaluate_resume_and_delete(start_server: Callable[..., ServerProcess]) -> None:
    server = start_server()
    phoenix = Client(base_url=server.url)
    dataset = phoenix.datasets.create_dataset(
        name="arith",
        examples=[{"input": {"q": q}, "output": {"a": a}} for q, a in (("1+1", "2"), ("2*3", "6"), ("9-4", "5"))],
    )
    ran = phoenix.experiments.run_experiment(
        dataset=dataset,
        task=_flaky_task("2*3"),
        evaluators=[exact_match],
        experiment_name="first",
        print_summary=False,
        retries=1,
    )
    experiment_id = ran["experiment_id"]
    raw = httpx.get(f"{server.url}/v1/experiments/{experiment_id}").json()["data"]
    assert (raw["successful_run_count"], raw["failed_run_count"], raw["missing_run_count"]) == (2, 1, 0)

    # The task spans landed in the experiment's own project, hidden from the default project list.
    project = raw["project_name"]
    spans = httpx.get(f"{server.url}/v1/projects/{project}/spans").json()["data"]
    assert {s["name"] for s in spans} >= {"Task: task"}
    listed = {p["name"] for p in httpx.get(f"{server.url}/v1/projects").json()["data"]}
    assert project not in listed
    everything = httpx.get(f"{server.url}/v1/projects", params={"include_experiment_projects": True}).json()
    assert project in {p["name"] for p in everything["data"]}

    phoenix.experiments.resume_experiment(experiment_id=experiment_id, task=_answer, print_summary=False)
    raw = httpx.get(f"{server.url}/v1/experiments/{experiment_id}").json()["data"]
    assert (raw["successful_run_count"], raw["failed_run_count"], raw["missing_run_count"]) == (3, 0, 0)

    fetched = phoenix.experiments.get_experiment(experiment_id=experiment_id)
    phoenix.experiments.evaluate_experiment(experiment=fetched, evaluators=[judge], print_summary=False)
    phoenix.experiments.resume_evaluation(experiment_id=experiment_id, evaluators=[exact_match])
    report = httpx.get(f"{server.url}/v1/experiments/{experiment_id}/json").json()
    assert len(report) == 3
    for record in report:
        # The task's trace is stored (it has no LLM spans, so no tokens).
        assert (record["prompt_token_count"], record["completion_token_count"]) == (0, 0)
        by_name = {a["name"]: a for a in record["annotations"]}
        assert by_name["judge"]["label"] == "correct" and by_name["judge"]["score"] == 1.0
        assert by_name["exact_match"]["score"] == 1.0
    again = phoenix.experiments.get_experiment(experiment_id=experiment_id)
    assert len(again["task_runs"]) == 3
    assert len(again["evaluation_runs"]) == 6

    csv_text = httpx.get(f"{server.url}/v1/experiments/{experiment_id}/csv").text
    assert "annotation_judge_score" in csv_text.splitlines()[0]

    phoenix.experiments.delete(experiment_id=experiment_id)
    assert httpx.get(f"{server.url}/v1/experiments/{experiment_id}").status_code == 404


def test_resume_after_a_run_stopped_half_way(start_server: Callable[..., ServerProcess]) -> None:
    """An experiment whose runner died after one example: resume runs exactly the rest."""
    server = start_server()
    phoenix = Client(base_url=server.url)
    dataset = phoenix.datasets.create_dataset(
        name="half", examples=[{"input": {"q": q}, "output": {"a": _arithmetic(q)}} for q in ("1+2", "3+4", "5+6")]
    )
    created = httpx.post(f"{server.url}/v1/datasets/{dataset.id}/experiments", json={"repetitions": 2}).json()["data"]
    first = dataset.examples[0]
    run = {"dataset_example_id": first["node_id"], "output": "3", "repetition_number": 1}
    run |= {"start_time": "2026-11-29T12:00:00+00:00", "end_time": "2026-11-29T12:00:01+00:00"}
    assert httpx.post(f"{server.url}/v1/experiments/{created['id']}/runs", json=run).status_code == 200
    phoenix.experiments.resume_experiment(experiment_id=created["id"], task=_answer, print_summary=False)
    raw = httpx.get(f"{server.url}/v1/experiments/{created['id']}").json()["data"]
    assert (raw["successful_run_count"], raw["missing_run_count"]) == (6, 0)
    runs = httpx.get(f"{server.url}/v1/experiments/{created['id']}/runs").json()["data"]
    assert sorted((r["dataset_example_id"], r["repetition_number"]) for r in runs) == sorted(
        (e["node_id"], rep) for e in dataset.examples for rep in (1, 2)
    )
    spans = httpx.get(f"{server.url}/v1/projects/{created['project_name']}/spans").json()["data"]
    assert len([s for s in spans if s["name"] == "Task: _answer"]) == 5


def test_with_auth_a_system_key_runs_experiments_and_prompts(start_server: Callable[..., ServerProcess]) -> None:
    """Auth on: the client's key reaches every call, including the OTLP export of task spans."""
    server = start_server(AUTH_ENV)
    with httpx.Client(base_url=server.url) as http:
        key = mint_system_key(http).token
    phoenix = Client(base_url=server.url, api_key=key)
    dataset = phoenix.datasets.create_dataset(name="auth", examples=[{"input": {"q": "1+1"}, "output": {"a": "2"}}])
    ran = phoenix.experiments.run_experiment(
        dataset=dataset, task=_answer, evaluators=[exact_match], print_summary=False
    )
    headers = {"Authorization": f"Bearer {key}"}
    raw = httpx.get(f"{server.url}/v1/experiments/{ran['experiment_id']}", headers=headers).json()["data"]
    assert raw["successful_run_count"] == 1
    spans = httpx.get(f"{server.url}/v1/projects/{raw['project_name']}/spans", headers=headers).json()["data"]
    assert [s["name"] for s in spans] == ["Task: _answer"]
    messages: Any = [{"role": "user", "content": "{{q}}"}]
    version = phoenix.prompts.create(name="auth-prompt", version=PromptVersion(messages, model_name="m"))
    assert version.id is not None
    phoenix.prompts.tags.create(prompt_version_id=version.id, name="prod")
    assert phoenix.prompts.get(prompt_identifier="auth-prompt", tag="prod").id == version.id
    assert httpx.get(f"{server.url}/v1/datasets").status_code == 401
