"""Projects, traces, spans, a trace and metrics as pages: content, a bounded number of SQL
statements whatever the data size, and the same policy as the APIs."""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import event

from pyrewatch.http.state import AppState
from tests.conftest import ClientFactory
from tests.integration.web.support import post_form
from tests.support.actors import make_actor
from tests.support.constants import AUTH_ENV
from tests.support.otlp import llm_trace, protobuf_body, span_id_hex, trace_id_hex

PAGES = ("/projects", "/projects/{gid}/traces", "/projects/{gid}/spans?kind=LLM", "/projects/{gid}/metrics")


def _state(client: TestClient) -> AppState:
    state: AppState = client.app.state.pyrewatch  # type: ignore[attr-defined]
    return state


@contextmanager
def _statements(client: TestClient) -> Iterator[list[str]]:
    seen: list[str] = []
    engine = _state(client).engine.sync_engine

    def listener(*args: Any) -> None:
        seen.append(str(args[2]))

    event.listen(engine, "before_cursor_execute", listener)
    try:
        yield seen
    finally:
        event.remove(engine, "before_cursor_execute", listener)


def _ingest(client: TestClient, traces: int, project: str = "demo") -> list[Any]:
    spans = [span for i in range(traces) for span in llm_trace(project, error=i % 2 == 0)]
    response = client.post(
        "/v1/traces", content=protobuf_body(spans), headers={"content-type": "application/x-protobuf"}
    )
    assert response.status_code == 200
    return spans


def _gid(client: TestClient, name: str) -> str:
    match = re.search(rf'href="/projects/([^"/?]+)\?range=24h">{name}<', client.get("/projects").text)
    assert match is not None
    return match.group(1)


def _counts(client: TestClient, paths: list[str]) -> list[int]:
    counts = []
    for path in paths:
        with _statements(client) as seen:
            assert client.get(path).status_code == 200, path
        counts.append(len(seen))
    return counts


def test_pages_run_the_same_statements_for_3_or_30_traces(make_client: ClientFactory) -> None:
    client = make_client()
    spans = _ingest(client, 3)
    gid = _gid(client, "demo")
    paths = [p.format(gid=gid) for p in PAGES] + [f"/projects/{gid}/traces/{trace_id_hex(spans[0])}"]
    small = _counts(client, paths)
    more = _ingest(client, 27)
    assert _counts(client, paths) == small
    big_trace = _counts(client, [f"/projects/{gid}/traces/{trace_id_hex(more[-1])}"])
    assert big_trace == small[-1:]
    assert max(small) <= 6, dict(zip(paths, small, strict=True))


def test_projects_page_shows_activity(make_client: ClientFactory) -> None:
    client = make_client()
    _ingest(client, 4)
    page = client.get("/projects").text
    row = page[page.index(">demo<") :].split("</tr>", 1)[0]
    cells = re.findall(r'<td class="num"[^>]*>(.*?)</td>', row, re.S)
    texts = [re.sub(r"<[^>]+>", "", c).strip() for c in cells]
    # traces, spans, error rate, tokens (4 traces x 12), p50, p99, last span
    assert texts[:4] == ["4", "8", "50.0 %", "48"]
    assert texts[4].endswith("ms") or texts[4].endswith(" s")


def test_traces_table_filters_live_in_the_url(make_client: ClientFactory) -> None:
    client = make_client()
    _ingest(client, 3)
    gid = _gid(client, "demo")
    all_spans = client.get(f"/projects/{gid}/spans").text
    assert all_spans.count("data-span-id=") == 6
    failed = client.get(f"/projects/{gid}/spans?status=ERROR").text
    assert failed.count("data-span-id=") == 2
    fragment = client.get(f"/projects/{gid}/spans?status=ERROR", headers={"hx-request": "true"}).text
    assert fragment.count("data-span-id=") == 2 and "<html" not in fragment
    by_attribute = client.get(f"/projects/{gid}/spans?attr=metadata.k=v").text
    assert by_attribute.count("data-span-id=") == 3
    bad = client.get(f"/projects/{gid}/spans?attr=nothing")
    assert bad.status_code == 422 and "Invalid attribute filter" in bad.text
    # The name filter finds a part of the name, in any case; ``%`` is a character, not a wildcard.
    assert client.get(f"/projects/{gid}/spans?name=LL").text.count("data-span-id=") == 3
    assert client.get(f"/projects/{gid}/spans?name=ha").text.count("data-span-id=") == 3
    assert client.get(f"/projects/{gid}/spans?name=%25").text.count("data-span-id=") == 0


def _walk(client: TestClient, path: str) -> list[str]:
    seen: list[str] = []
    while path:
        page = client.get(path).text
        seen += re.findall(r'<tr data-span-id="([0-9a-f]+)"', page)
        nxt = re.search(r'href="(/projects/[^"]+after=[^"]+)"[^>]*>Next page', page)
        path = nxt.group(1).replace("&amp;", "&") if nxt else ""
    return seen


def _latencies(client: TestClient, path: str) -> list[float]:
    cells = re.findall(r'<td class="num">([0-9.]+) (ms|s)</td>', client.get(path).text)
    return [float(value) * (1000 if unit == "s" else 1) for value, unit in cells]


def test_keyset_pages_cover_every_trace_once_in_every_order(make_client: ClientFactory) -> None:
    client = make_client()
    _ingest(client, 60)
    gid = _gid(client, "demo")
    for sort in ("", "asc", "slowest", "fastest"):
        seen = _walk(client, f"/projects/{gid}/traces?sort={sort}")
        assert len(seen) == 60 == len(set(seen)), sort
    slowest = _latencies(client, f"/projects/{gid}/traces?sort=slowest")
    assert slowest == sorted(slowest, reverse=True) and len(slowest) == 50
    fastest = _latencies(client, f"/projects/{gid}/traces?sort=fastest")
    assert fastest == sorted(fastest) and fastest[0] <= slowest[-1] and fastest[-1] <= slowest[0]
    failed = client.get(f"/projects/{gid}/traces?sort=slowest&status=ERROR").text
    assert failed.count("data-span-id=") == 30
    mixed = client.get(f"/projects/{gid}/traces?sort=slowest&kind=LLM")
    assert mixed.status_code == 422 and "the spans view combines every filter" in mixed.text
    with_errors = _walk(client, f"/projects/{gid}/traces?status=ERROR")
    without = _walk(client, f"/projects/{gid}/traces?status=OK&sort=asc")
    assert len(with_errors) == 30 == len(without) and not set(with_errors) & set(without)


def test_span_panel_notes_and_annotations(make_client: ClientFactory) -> None:
    client = make_client()
    spans = _ingest(client, 1)
    gid = _gid(client, "demo")
    llm = next(s for s in spans if s.name == "llm")
    trace_path = f"/projects/{gid}/traces/{trace_id_hex(llm)}"
    page = client.get(f"{trace_path}?span={span_id_hex(llm)}").text
    assert page.count('class="bar') == 2 and 'class="bar error"' in page
    assert "hello" in page and "USER" in page.upper()
    base = f"{trace_path}/spans/{span_id_hex(llm)}"
    noted = post_form(client, f"{base}/notes", {"note": "looks right"}, token_from=trace_path)
    assert noted.status_code == 303
    scored = post_form(
        client, f"{base}/annotations", {"name": "quality", "label": "good", "score": "0.9"}, token_from=trace_path
    )
    assert scored.status_code == 303
    panel = client.get(noted.headers["location"], headers={"hx-request": "true", "hx-target": "panel"}).text
    assert "looks right" in panel and "quality" in panel and "0.9" in panel and "<html" not in panel
    bad = post_form(client, f"{base}/annotations", {"name": "quality", "score": "high"}, token_from=trace_path)
    assert bad.status_code == 422 and "must be a number" in bad.text


def test_deep_links_find_the_trace(make_client: ClientFactory) -> None:
    client = make_client()
    spans = _ingest(client, 1)
    gid = _gid(client, "demo")
    llm = next(s for s in spans if s.name == "llm")
    span_link = client.get(f"/redirects/spans/{span_id_hex(llm)}", follow_redirects=False)
    assert span_link.headers["location"] == f"/projects/{gid}/traces/{trace_id_hex(llm)}?span={span_id_hex(llm)}"
    trace_link = client.get(f"/redirects/traces/{trace_id_hex(llm)}", follow_redirects=False)
    assert trace_link.headers["location"] == f"/projects/{gid}/traces/{trace_id_hex(llm)}"
    assert client.get("/redirects/traces/" + "0" * 32).status_code == 404
    assert client.get("/redirects/spans/not-hex").status_code == 404


def test_project_administration_follows_the_policy(make_client: ClientFactory) -> None:
    client = make_client({**AUTH_ENV, "PHOENIX_DISABLE_RATE_LIMIT": "true"})
    viewer = make_actor(client, "VIEWER")
    client.cookies.set("phoenix-access-token", viewer.token)
    assert "New project" not in client.get("/projects").text
    refused = post_form(client, "/projects", {"name": "nope"}, token_from="/projects")
    assert refused.status_code == 403 and "Viewers cannot perform this action." in refused.text
    admin = make_actor(client, "ADMIN")
    client.cookies.set("phoenix-access-token", admin.token)
    assert post_form(client, "/projects", {"name": "alpha"}, token_from="/projects").status_code == 303
    gid = _gid(client, "alpha")
    renamed = post_form(client, f"/projects/{gid}/rename", {"name": "beta"}, token_from="/projects")
    assert renamed.headers["location"] == "/projects?notice=project-renamed"
    assert ">beta<" in client.get("/projects").text
    default_gid = _gid(client, "default")
    kept = post_form(client, f"/projects/{default_gid}/rename", {"name": "x"}, token_from="/projects")
    assert kept.status_code == 422 and "cannot be renamed" in kept.text
    assert post_form(client, f"/projects/{gid}/delete", {}, token_from="/projects").status_code == 303
    assert ">beta<" not in client.get("/projects").text
    # The API sees the same projects at once.
    names = [p["name"] for p in client.get("/v1/projects", headers=admin.headers).json()["data"]]
    assert "beta" not in names


def _token_cells(client: TestClient, path: str) -> list[int]:
    page = client.get(path).text
    # The tokens cell follows the latency cell (which carries a unit).
    cells = re.findall(r'<td class="num">[0-9.]+ m?s</td>\s*<td class="num">([0-9,]+)</td>', page)
    return [int(cell.replace(",", "")) for cell in cells]


def test_traces_sort_by_tokens_over_keyset_pages(make_client: ClientFactory) -> None:
    client = make_client()
    spans = [span for i in range(55) for span in llm_trace("tokens", prompt=(i * 37) % 101, completion=i % 7)]
    response = client.post(
        "/v1/traces", content=protobuf_body(spans), headers={"content-type": "application/x-protobuf"}
    )
    assert response.status_code == 200
    gid = _gid(client, "tokens")
    for sort in ("most-tokens", "fewest-tokens"):
        seen = _walk(client, f"/projects/{gid}/traces?sort={sort}")
        assert len(seen) == 55 == len(set(seen)), sort
    most = _token_cells(client, f"/projects/{gid}/traces?sort=most-tokens")
    assert (
        len(most) == 50
        and most == sorted(most, reverse=True)
        and most[0] == max((i * 37) % 101 + i % 7 for i in range(55))
    )
    fewest = _token_cells(client, f"/projects/{gid}/traces?sort=fewest-tokens")
    assert fewest == sorted(fewest) and fewest[0] == min((i * 37) % 101 + i % 7 for i in range(55))
