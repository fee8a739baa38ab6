"""Datasets, experiments side by side, prompts, sessions and annotation configs as a person
sees them, with auth off: each page checked by axe-core and saved as a screenshot."""

from __future__ import annotations

from collections.abc import Callable

import httpx
import pytest
from selenium.webdriver.support.ui import Select

from tests.browser.pages import Web
from tests.integration.web.evaluation_data import seed_evaluation, send_session_traces
from tests.support.server import ServerProcess

pytestmark = pytest.mark.browser


def test_datasets_comparison_and_prompts(start_server: Callable[..., ServerProcess], web: Web) -> None:
    server = start_server()
    with httpx.Client(base_url=server.url, timeout=30) as api:
        seed_evaluation(api, examples=3)

    web.use(server.url).open("/projects")
    web.click_link("Datasets")
    assert web.path == "/datasets" and "capitals" in web.text("#datasets-table")
    web.screenshot("datasets")

    web.click_link("capitals")
    assert web.heading() == "capitals"
    assert len(web.all("#experiments-table tbody tr")) == 2
    web.screenshot("dataset-experiments")
    web.click_link("Examples")
    assert len(web.all("#examples-table tbody tr")) == 3
    web.screenshot("dataset-examples")
    web.click_link("Versions")
    assert len(web.all("#versions-table tbody tr")) == 1
    web.click_link("Experiments")

    web.click_link("baseline")
    assert web.heading() == "Experiment baseline"
    assert len(web.all("#compare-table tbody tr")) == 3 and not web.all("#compare-table ins")
    web.screenshot("experiment-runs")
    web.driver.back()
    web.wait_ready()

    for box in web.all("input[name='experimentId']"):
        box.click()
    web.submit("Compare selected")
    assert web.heading() == "Compare 2 experiments"
    assert len(web.all("#compare-table td.differs")) == 3
    # The newest experiment is listed first, so it is the base the other is compared with.
    assert "improved base" in web.text("#summary-table")
    assert [e.text for e in web.all("#compare-table ins")][:1] == ["town"]
    assert "▼ -1" in web.text("#summary-table")
    web.screenshot("experiments-compared")

    web.click_link("Prompts")
    web.click_link("capitals-qa")
    assert "production" in web.text("#versions") and "accurate" in web.text("#template")
    web.screenshot("prompt")
    Select(web.find("#compare")).select_by_index(1)
    web.submit("Show diff")
    assert "You are a terse assistant." in web.text("#template-diff del")
    assert "Model changed" in web.text("#settings-diff")
    web.screenshot("prompt-diff")

    web.click_link("Annotations")
    web.fill({"name": "correct", "type": "CATEGORICAL", "values": "yes = 1\nno = 0"})
    web.submit("Create config")
    assert "The annotation config is created." in web.text("main")
    assert "correct" in web.text("#configs-table")
    web.screenshot("annotation-configs")


def test_sessions_and_spans_to_a_dataset(start_server: Callable[..., ServerProcess], web: Web) -> None:
    server = start_server()
    with httpx.Client(base_url=server.url, timeout=30) as api:
        send_session_traces(api, "support-bot", "conversation-1", 3)
        send_session_traces(api, "support-bot", "conversation-2", 1)
        trace_id = api.get("/v1/projects/support-bot/traces").json()["data"][-1]["trace_id"]
        result = {"label": "helpful", "score": 0.9, "explanation": "Answered the question."}
        trace_note = {"trace_id": trace_id, "name": "helpfulness", "annotator_kind": "HUMAN", "result": result}
        assert api.post("/v1/trace_annotations?sync=true", json={"data": [trace_note]}).status_code == 200
        session_note = {
            "session_id": "conversation-1",
            "name": "resolved",
            "annotator_kind": "LLM",
            "result": {"label": "yes"},
        }
        assert api.post("/v1/session_annotations?sync=true", json={"data": [session_note]}).status_code == 200

    web.use(server.url).open("/projects")
    web.click_link("support-bot")
    web.click_link("Sessions")
    rows = web.all("#sessions-table tbody tr")
    assert len(rows) == 2 and "conversation-2" in rows[0].text
    web.screenshot("sessions")
    web.click_link("conversation-1")
    turns = web.all("li.turn")
    assert [t.text.count("question") for t in turns] == [1, 1, 1]
    assert "question 0" in turns[0].text and "answer 2" in turns[2].text
    web.screenshot("session")

    assert "resolved" in web.text("#session-annotations")
    web.click_link("turn-0")
    assert "Part of a session" in web.text("main")
    assert "helpfulness" in web.text("main") and "resolved" in web.text("main")
    web.check_accessibility()
    web.driver.execute_script("window.scrollTo(0, 0)")
    web.save_artifacts("trace-in-session")
    web.click_link("support-bot")
    web.click_link("Spans")
    boxes = web.all("input[name='span_id']")
    assert len(boxes) == 8
    boxes[0].click()
    boxes[1].click()
    web.submit("Add selected spans to a dataset…")
    assert web.heading() == "Add 2 spans to a dataset"
    web.screenshot("add-spans")
    web.fill({"new_name": "support questions"})
    web.submit("Add to dataset")
    assert "The spans are added to the dataset" in web.text("main")
    assert len(web.all("#examples-table tbody tr")) == 2
    web.screenshot("dataset-from-spans")
