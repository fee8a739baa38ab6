"""Sessions: recorded from ``session.id`` at ingest, served to the real Phoenix client."""

from __future__ import annotations

from datetime import timedelta

import pytest
from fastapi.testclient import TestClient
from phoenix.client import Client

from tests.support.otlp import trace_id_hex
from tests.support.sessions import TURN_START, export, turns

pytestmark = pytest.mark.filterwarnings("ignore:You should not use the 'timeout' argument")


@pytest.fixture
def phoenix(client: TestClient) -> Client:
    return Client(http_client=client)


def test_sessions_are_recorded_and_listed_with_their_traces(client: TestClient, phoenix: Client) -> None:
    first = turns("conv-1", ["q1", "q2"], user_id="alice")
    export(client, first)
    export(client, turns("conv-2", ["other"], start=TURN_START + timedelta(hours=1)))
    export(client, turns(None, ["no session"]))
    sessions = phoenix.sessions.list(project_name="chat")
    assert [s["session_id"] for s in sessions] == ["conv-1", "conv-2"]
    conv1 = sessions[0]
    assert [t["trace_id"] for t in conv1["traces"]] == [trace_id_hex(s) for s in first if s.name == "turn"]
    assert conv1["start_time"].startswith("2026-03-04T05:06:07")
    assert conv1["end_time"].startswith("2026-03-04T05:07:10")
    assert (conv1["token_count_prompt"], conv1["token_count_completion"], conv1["token_count_total"]) == (20, 8, 28)
    # ``user_id`` is a Pyrewatch addition, not in the client's SessionData type.
    assert (conv1["user_id"], sessions[1]["user_id"]) == ("alice", None)  # type: ignore[typeddict-item]
    assert phoenix.sessions.get(session_id="conv-1")["id"] == conv1["id"]
    assert phoenix.sessions.get(session_id=conv1["id"])["session_id"] == "conv-1"
    frame = phoenix.sessions.get_sessions_dataframe(project_name="chat")
    assert list(frame.columns) == ["id", "session_id", "project_id", "start_time", "end_time", "num_traces"]
    assert frame["num_traces"].tolist() == [2, 1]


def test_session_turns_come_from_root_spans_in_order(client: TestClient, phoenix: Client) -> None:
    export(client, turns("conv", ["first question", "second question"]))
    found = phoenix.sessions.get_session_turns(session_id="conv")
    assert [turn["input"] and turn["input"]["value"] for turn in found] == ["first question", "second question"]
    outputs = [turn["output"] and turn["output"]["value"] for turn in found]
    assert outputs == ["answer to first question", "answer to second question"]


def test_traces_filter_by_session_id_or_global_id(client: TestClient, phoenix: Client) -> None:
    export(client, turns("conv-a", ["a1", "a2"]))
    export(client, turns("conv-b", ["b1"], start=TURN_START + timedelta(hours=1)))
    by_name = phoenix.traces.get_traces(project_identifier="chat", session_id="conv-a")
    assert len(by_name) == 2
    global_id = phoenix.sessions.get(session_id="conv-b")["id"]
    by_id = phoenix.traces.get_traces(project_identifier="chat", session_id=[global_id])
    assert len(by_id) == 1
    assert phoenix.traces.get_traces(project_identifier="chat", session_id="absent") == []


def test_a_session_id_on_a_later_span_attaches_the_trace_and_widens_the_session(client: TestClient) -> None:
    spans = turns("late", ["q"])
    root = next(s for s in spans if s.name == "turn")
    child = next(s for s in spans if s.name == "llm")
    export(client, [child])  # the child carries no session.id: no session yet
    assert client.get("/v1/projects/chat/sessions").json()["data"] == []
    export(client, [root])
    [session] = client.get("/v1/projects/chat/sessions").json()["data"]
    assert [t["trace_id"] for t in session["traces"]] == [trace_id_hex(root)]
    assert session["token_count_prompt"] == 10
    later = turns("late", ["again"], start=TURN_START + timedelta(days=1))
    export(client, later)
    [session] = client.get("/v1/projects/chat/sessions").json()["data"]
    assert len(session["traces"]) == 2
    assert session["end_time"].startswith("2026-03-05T05:06:10")


def test_deleting_sessions_deletes_their_traces(client: TestClient, phoenix: Client) -> None:
    export(client, turns("keep", ["k"]))
    export(client, turns("drop-1", ["d1"], start=TURN_START + timedelta(hours=1)))
    export(client, turns("drop-2", ["d2"], start=TURN_START + timedelta(hours=2)))
    export(client, turns("drop-3", ["d3"], start=TURN_START + timedelta(hours=3)))
    phoenix.sessions.delete(session_id="drop-1")
    ids = [phoenix.sessions.get(session_id=name)["id"] for name in ("drop-2", "drop-3")]
    phoenix.sessions.bulk_delete(session_ids=ids)
    assert [s["session_id"] for s in phoenix.sessions.list(project_name="chat")] == ["keep"]
    assert len(phoenix.traces.get_traces(project_identifier="chat")) == 1
    assert client.get("/v1/sessions/drop-1").status_code == 404
    assert client.delete("/v1/sessions/drop-1").status_code == 404


def test_bulk_delete_refuses_mixed_identifiers_and_skips_unknown_ones(client: TestClient, phoenix: Client) -> None:
    export(client, turns("one", ["q"]))
    global_id = phoenix.sessions.get(session_id="one")["id"]
    mixed = client.post("/v1/sessions/delete", json={"session_identifiers": [global_id, "one"]})
    assert mixed.status_code == 422
    assert "same type" in mixed.text
    assert client.post("/v1/sessions/delete", json={"session_identifiers": ["nope", "\x00"]}).status_code == 204
    assert client.get("/v1/sessions/one").status_code == 200


def test_session_listing_pages_by_id_in_both_orders(client: TestClient) -> None:
    for index in range(5):
        export(client, turns(f"s{index}", ["q"], start=TURN_START + timedelta(hours=index)))
    seen: list[str] = []
    cursor = None
    while True:
        params = {"limit": 2, **({"cursor": cursor} if cursor else {})}
        body = client.get("/v1/projects/chat/sessions", params=params).json()
        seen += [s["session_id"] for s in body["data"]]
        cursor = body["next_cursor"]
        if cursor is None:
            break
    assert seen == [f"s{i}" for i in range(5)]
    newest = client.get("/v1/projects/chat/sessions", params={"order": "desc", "limit": 1}).json()
    assert newest["data"][0]["session_id"] == "s4"
    assert client.get("/v1/projects/chat/sessions", params={"cursor": "bad"}).status_code == 422
    assert client.get("/v1/projects/absent/sessions").status_code == 404
