"""Sessions, datasets, experiments side by side, and prompts as pages: content, the same
statements whatever the data size, and the same policy as the APIs."""

from __future__ import annotations

import re
from urllib.parse import quote

from fastapi.testclient import TestClient

from tests.conftest import ClientFactory
from tests.integration.web.evaluation_data import seed_evaluation, send_session_traces
from tests.integration.web.test_data_pages import _counts, _gid


def _text(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def _dataset_pages(dataset_id: str, experiments: list[str], prompt: str) -> list[str]:
    compare = "&".join(f"experimentId={quote(e)}" for e in experiments)
    return [
        "/datasets",
        f"/datasets/{dataset_id}",
        f"/datasets/{dataset_id}/examples",
        f"/datasets/{dataset_id}/versions",
        f"/datasets/{dataset_id}/compare?experimentId={quote(experiments[0])}",
        f"/datasets/{dataset_id}/compare?{compare}",
        "/prompts",
        f"/prompts/{prompt}",
    ]


def test_evaluation_pages_run_the_same_statements_for_2_or_20_examples(make_client: ClientFactory) -> None:
    small_client, big_client = make_client(), make_client()
    small = seed_evaluation(small_client, examples=2)
    big = seed_evaluation(big_client, examples=20, name="more")
    small_counts = _counts(small_client, _dataset_pages(small.dataset_id, small.experiment_ids, small.prompt_id))
    big_counts = _counts(big_client, _dataset_pages(big.dataset_id, big.experiment_ids, big.prompt_id))
    assert small_counts == big_counts
    assert max(small_counts) <= 9, small_counts


def test_session_pages_run_the_same_statements_for_2_or_12_turns(make_client: ClientFactory) -> None:
    counts = []
    client = make_client()
    for turns, project in ((2, "chat"), (12, "talk")):
        send_session_traces(client, project, f"conv-{project}", turns)
        gid = _gid(client, project)
        listing = client.get(f"/projects/{gid}/sessions").text
        match = re.search(rf'href="(/projects/{re.escape(gid)}/sessions/[^"]+)">conv-{project}<', listing)
        assert match is not None, listing
        counts.append(_counts(client, [f"/projects/{gid}/sessions", match.group(1)]))
    assert counts[0] == counts[1] and max(counts[0]) <= 6, counts


def test_sessions_list_and_turns(client: TestClient) -> None:
    send_session_traces(client, "chat", "conv-1", 3)
    send_session_traces(client, "chat", "conv-2", 1)
    gid = _gid(client, "chat")
    listing = client.get(f"/projects/{gid}/sessions").text
    assert listing.index("conv-2") < listing.index("conv-1")  # newest first
    row = listing[listing.index('data-session-id="conv-1"') :].split("</tr>", 1)[0]
    assert re.findall(r'<td class="num">([^<]*)</td>', row) == ["3", "36"]  # traces, tokens
    link = re.search(r'href="([^"]+)">conv-1<', listing)
    assert link is not None
    page = client.get(link.group(1)).text
    text = _text(page)
    assert [m for m in re.findall(r"question \d|answer \d", text)] == [
        "question 0",
        "answer 0",
        "question 1",
        "answer 1",
        "question 2",
        "answer 2",
    ]
    assert "ada" in text and page.count('class="turn card"') == 3
    other = client.get(f"/projects/{gid}/sessions/nope")
    assert other.status_code == 404


def test_dataset_experiment_and_comparison_pages(client: TestClient) -> None:
    seeded = seed_evaluation(client, examples=3)
    listing = client.get("/datasets").text
    assert 'data-dataset="capitals"' in listing and ">3</a>" in listing
    experiments = client.get(f"/datasets/{seeded.dataset_id}").text
    assert experiments.count('name="experimentId"') == 2
    examples = client.get(f"/datasets/{seeded.dataset_id}/examples").text
    assert "What is the capital of country 2?" in examples and examples.count("data-example-id=") == 3
    versions = client.get(f"/datasets/{seeded.dataset_id}/versions").text
    assert versions.count("Examples<span") == 1 and "latest" in versions
    base, other = seeded.experiment_ids
    one = client.get(f"/datasets/{seeded.dataset_id}/compare?experimentId={quote(base)}").text
    assert "Experiment baseline" in one and "The capital is town 1" in one and "<del>" not in one
    both = client.get(f"/datasets/{seeded.dataset_id}/compare?experimentId={quote(base)}&experimentId={quote(other)}")
    assert both.status_code == 200
    html = both.text
    assert html.count("<del>town") == 3 and html.count("<ins>City") == 3
    assert html.count("▲ +1") == 3 + 1  # each example, and the average in the summary
    assert html.count('class="run differs"') == 3


def test_comparison_refuses_foreign_or_bad_experiments(client: TestClient) -> None:
    seeded = seed_evaluation(client, examples=1)
    other = client.post("/v1/datasets/upload?sync=true", json={"name": "other", "inputs": [{"q": 1}]})
    other_id = other.json()["data"]["dataset_id"]
    path = f"/datasets/{other_id}/compare?experimentId={quote(seeded.experiment_ids[0])}"
    assert client.get(path).status_code == 404
    assert client.get(f"/datasets/{seeded.dataset_id}/compare").status_code == 422
    assert client.get(f"/datasets/{seeded.dataset_id}/compare?experimentId=zzz").status_code == 422
    assert client.get("/datasets/zzz").status_code == 422
    assert client.get("/datasets?after=x").status_code == 422


def test_prompt_versions_tags_and_diff(client: TestClient) -> None:
    seeded = seed_evaluation(client, examples=1)
    listing = client.get("/prompts").text
    link = re.search(r'href="(/prompts/[^"]+)">capitals-qa<', listing)
    assert link is not None
    page = client.get(link.group(1)).text
    assert "Version 2" in page and "Version 1" in page
    assert re.search(r"Version 1</a>\s*<span class=\"badge tag\"[^>]*>production</span>", page)
    assert "You are a terse, accurate assistant." in page  # the latest version by default
    first, second = seeded.version_ids
    diff = client.get(f"{link.group(1)}/versions/{quote(second)}?compare={quote(first)}").text
    assert (
        '<del><span aria-hidden="true">- </span><span class="sr-only">removed: </span>You are a terse assistant.</del>'
        in diff
    )
    assert "accurate assistant.</ins>" in diff
    assert re.search(r'<tr class="changed"><th scope="row">Model <span class="badge">changed', diff)
    assert client.get(f"{link.group(1)}/versions/zzz").status_code == 422


def test_listings_run_the_same_statements_for_1_or_6_rows(make_client: ClientFactory) -> None:
    counts = []
    for rows, project in ((1, "few"), (6, "many")):
        client = make_client()
        for index in range(rows):
            config = {"name": f"{project}-{index}", "type": "CONTINUOUS", "lower_bound": 0, "upper_bound": 1}
            assert client.post("/v1/annotation_configs", json=config).status_code == 200
            upload = {"name": f"{project}-{index}", "inputs": [{"q": index}]}
            assert client.post("/v1/datasets/upload?sync=true", json=upload).status_code == 200
            send_session_traces(client, project, f"{project}-conv-{index}", 1)
        gid = _gid(client, project)
        paths = [
            "/settings/annotations",
            "/datasets",
            "/prompts",
            f"/projects/{gid}/sessions",
            f"/projects/{gid}/spans/add-to-dataset?span_id=0123456789abcdef",
        ]
        counts.append(_counts(client, paths))
    assert counts[0] == counts[1] and max(counts[0]) <= 4, counts


def test_comparison_pages_through_the_examples(client: TestClient) -> None:
    seeded = seed_evaluation(client, examples=53)
    query = "&".join(f"experimentId={quote(e)}" for e in seeded.experiment_ids)
    first = client.get(f"/datasets/{seeded.dataset_id}/compare?{query}").text
    assert first.count("data-example-id=") == 50
    link = re.search(r'href="([^"]+)">Next examples<', first)
    assert link is not None
    second = client.get(link.group(1).replace("&amp;", "&")).text
    assert second.count("data-example-id=") == 3 and "Next examples" not in second
    assert "First examples" in second and "capital of country 52?" in second
    # The averages cover every run, not only the page's.
    assert "correct 0" in _text(second) and "▲ +1" in second
