"""Retention: policies over REST, GraphQL and the default from the environment; sweeps by age and
by span count, in bounded batches, also while exports keep arriving."""

from __future__ import annotations

import asyncio
import threading
from datetime import UTC, datetime, timedelta

from fastapi.testclient import TestClient

from pyrewatch.db.engine import make_engine
from pyrewatch.db.session import make_session_factory
from pyrewatch.services.retention import RetentionDefaults, SweepLimits, sweep
from pyrewatch.settings import load_settings
from tests.conftest import ClientFactory
from tests.support.otlp import protobuf_body, span_id_hex
from tests.support.sessions import export, turns


def _days_ago(days: float) -> datetime:
    return datetime.now(UTC) - timedelta(days=days)


def _span_count(client: TestClient, project: str) -> int:
    return len(client.get(f"/v1/projects/{project}/spans", params={"limit": 1000}).json()["data"])


def test_policy_defaults_come_from_the_environment_and_admins_override_them(make_client: ClientFactory) -> None:
    client = make_client({"PYREWATCH_RETENTION_MAX_AGE_DAYS": "30"})
    url = "/v1/projects/default/retention_policy"
    assert client.get(url).json()["data"] == {"max_age_days": 30, "max_spans": None, "is_default": True}
    own = client.put(url, json={"max_spans": 1000}).json()["data"]
    assert own == {"max_age_days": None, "max_spans": 1000, "is_default": False}
    assert client.get(url).json()["data"]["is_default"] is False
    assert client.delete(url).json()["data"]["is_default"] is True
    assert client.put(url, json={"max_age_days": 0}).status_code == 422
    assert client.put(url, json={"max_spans": -1}).status_code == 422
    assert client.get("/v1/projects/absent/retention_policy").status_code == 404
    mutation = """mutation { setProjectRetentionPolicy(input: {projectId: "default", maxAgeDays: 7}) {
        policy { maxAgeDays maxSpans isDefault } } }"""
    body = client.post("/graphql", json={"query": mutation}).json()
    assert body["data"]["setProjectRetentionPolicy"]["policy"] == {
        "maxAgeDays": 7,
        "maxSpans": None,
        "isDefault": False,
    }
    query = '{ projectRetentionPolicy(projectId: "default") { maxAgeDays isDefault } }'
    assert client.post("/graphql", json={"query": query}).json()["data"]["projectRetentionPolicy"] == {
        "maxAgeDays": 7,
        "isDefault": False,
    }


def test_sweep_by_age_deletes_old_traces_with_annotations_and_empty_sessions(client: TestClient) -> None:
    old = turns("old-conv", ["a", "b"], start=_days_ago(40))
    export(client, old)
    export(client, turns("new-conv", ["c"], start=_days_ago(1)))
    client.post(
        "/v1/span_annotations?sync=true",
        json={
            "data": [{"span_id": span_id_hex(old[0]), "name": "q", "annotator_kind": "HUMAN", "result": {"label": "x"}}]
        },
    )
    client.post("/v1/session_notes", json={"data": {"session_id": "old-conv", "note": "n"}})
    client.put("/v1/projects/chat/retention_policy", json={"max_age_days": 30})
    report = client.post("/v1/retention/sweep").json()["data"]
    assert report == {"traces_deleted": 2, "sessions_deleted": 1}
    assert [s["session_id"] for s in client.get("/v1/projects/chat/sessions").json()["data"]] == ["new-conv"]
    assert _span_count(client, "chat") == 2
    annotations = client.get("/v1/projects/chat/span_annotations", params={"identifier": ["x"]}).json()
    assert annotations["data"] == []
    assert client.post("/v1/retention/sweep").json()["data"] == {"traces_deleted": 0, "sessions_deleted": 0}


def test_sweep_by_span_count_deletes_oldest_whole_traces(make_client: ClientFactory) -> None:
    client = make_client({"PYREWATCH_RETENTION_MAX_SPANS": "5"})
    export(client, turns(None, ["1", "2", "3", "4", "5"], start=_days_ago(2)))  # 5 traces of 2 spans
    export(client, turns(None, ["x", "y"], project="kept", start=_days_ago(2)))
    client.put("/v1/projects/kept/retention_policy", json={})  # its own policy: keep everything
    assert client.post("/v1/retention/sweep").json()["data"]["traces_deleted"] == 3
    assert _span_count(client, "chat") == 4
    assert _span_count(client, "kept") == 4
    spans = client.get("/v1/projects/chat/spans", params={"name": ["turn"]}).json()["data"]
    assert {span["attributes"]["input.value"] for span in spans} == {"4", "5"}


def test_a_sweep_works_in_bounded_batches(client: TestClient, database_env: dict[str, str]) -> None:
    export(client, turns(None, [str(i) for i in range(7)], start=_days_ago(50)))
    settings = load_settings(database_env)

    async def one_sweep() -> int:
        engine = make_engine(settings.database_url, settings.database_schema)
        try:
            limits = SweepLimits(batch_size=2, max_batches=2)
            report = await sweep(
                make_session_factory(engine), RetentionDefaults(max_age_days=10), datetime.now(UTC), limits
            )
            return report.traces_deleted
        finally:
            await engine.dispose()

    assert [asyncio.run(one_sweep()) for _ in range(3)] == [4, 3, 0]
    assert _span_count(client, "chat") == 0


def test_sweep_during_live_export_loses_no_fresh_span(client: TestClient) -> None:
    export(client, turns(None, [f"old-{i}" for i in range(60)], start=_days_ago(90)))
    client.put("/v1/projects/chat/retention_policy", json={"max_age_days": 30})
    fresh_ids: list[str] = []
    failures: list[str] = []

    def exporter() -> None:
        for round_ in range(15):
            spans = turns(None, [f"new-{round_}-{i}" for i in range(4)], start=_days_ago(0.01))
            response = client.post(
                "/v1/traces",
                content=protobuf_body(spans),
                headers={"Content-Type": "application/x-protobuf"},
            )
            if response.status_code != 200:
                failures.append(response.text)
            fresh_ids.extend(span_id_hex(s) for s in spans)

    thread = threading.Thread(target=exporter)
    thread.start()
    deleted = 0
    while thread.is_alive():
        deleted += client.post("/v1/retention/sweep").json()["data"]["traces_deleted"]
    thread.join()
    deleted += client.post("/v1/retention/sweep").json()["data"]["traces_deleted"]
    assert failures == []
    assert deleted == 60
    stored = {
        s["context"]["span_id"] for s in client.get("/v1/projects/chat/spans", params={"limit": 1000}).json()["data"]
    }
    assert stored == set(fresh_ids)
