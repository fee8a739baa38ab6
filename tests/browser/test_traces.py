"""Traces sent with the real ``arize-phoenix-otel`` as a person sees them, with auth off: the
projects page, the traces table, the waterfall, a filter and the back button, the metrics."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from opentelemetry.trace import Status, StatusCode
from phoenix.otel import register
from selenium.webdriver.support.ui import Select, WebDriverWait

from tests.browser.pages import TIMEOUT, Web
from tests.support.server import ServerProcess

PROJECT = "browser-demo"

pytestmark = pytest.mark.browser


def _emit(endpoint: str, *, fail: bool) -> str:
    """One trace: an agent with an LLM call and a tool call (failing when ``fail``)."""
    provider = register(
        project_name=PROJECT,
        endpoint=endpoint,
        protocol="http/protobuf",
        set_global_tracer_provider=False,
        verbose=False,
    )
    tracer = provider.get_tracer("pyrewatch-browser-tests")
    with tracer.start_as_current_span("agent", attributes={"openinference.span.kind": "AGENT"}) as root:
        root.set_attribute("input.value", "What is 2+2?")
        with tracer.start_as_current_span("llm", attributes={"openinference.span.kind": "LLM"}) as llm:
            llm.set_attribute("llm.model_name", "gpt-test")
            llm.set_attribute("llm.token_count.prompt", 12)
            llm.set_attribute("llm.token_count.completion", 8)
            llm.set_attribute("llm.input_messages.0.message.role", "user")
            llm.set_attribute("llm.input_messages.0.message.content", "What is 2+2?")
            llm.set_attribute("llm.output_messages.0.message.role", "assistant")
            llm.set_attribute("llm.output_messages.0.message.content", "4")
        with tracer.start_as_current_span("calculator", attributes={"openinference.span.kind": "TOOL"}) as tool:
            if fail:
                tool.record_exception(ZeroDivisionError("division by zero"))
                tool.set_status(Status(StatusCode.ERROR, "division by zero"))
        trace_id = format(root.get_span_context().trace_id, "032x")
    provider.force_flush()
    provider.shutdown()
    return trace_id


def _rows(web: Web, table: str) -> list[str]:
    """The rows' text, read in one script call (htmx may swap the table at any moment)."""
    script = "return Array.from(document.querySelectorAll(arguments[0])).map(row => row.innerText);"
    rows: list[str] = web.driver.execute_script(script, f"#{table}-table tbody tr[data-span-id]")
    return rows


def test_traces_waterfall_filters_and_metrics(start_server: Callable[..., ServerProcess], web: Web) -> None:
    server = start_server()
    failed_trace = _emit(f"{server.url}/v1/traces", fail=True)
    _emit(f"{server.url}/v1/traces", fail=False)

    web.use(server.url).open("/")
    web.wait_path("/projects")
    assert PROJECT in web.text("table")
    web.screenshot("projects")

    web.click_link(PROJECT)
    traces = _rows(web, "traces")
    assert len(traces) == 2 and all("agent" in row for row in traces)
    web.screenshot("traces")

    web.click_row_action("agent", failed_trace)
    assert web.heading() == f"Trace {failed_trace}"
    bars = web.all("#waterfall li .bar")
    assert len(bars) == 3
    failed = web.all("#waterfall li.failed")
    assert len(failed) == 1 and "calculator" in failed[0].text
    assert len(web.all("#waterfall .bar.error")) == 1
    # Selecting a span swaps the panel in place and records the choice in the URL.
    web.find("#waterfall li:nth-child(2) a").click()
    WebDriverWait(web.driver, TIMEOUT).until(lambda d: "gpt-test" in web.text("#panel"))
    assert "span=" in web.path
    assert "assistant" in web.text("#panel").lower()
    web.screenshot("trace")

    web.open(web.path.split("/traces/")[0] + "/spans")
    assert len(_rows(web, "spans")) == 6
    Select(web.find("#status")).select_by_value("ERROR")
    WebDriverWait(web.driver, TIMEOUT).until(lambda d: len(_rows(web, "spans")) == 1)
    assert "status=ERROR" in web.path and "calculator" in _rows(web, "spans")[0]
    web.screenshot("spans-filtered")
    web.driver.back()
    WebDriverWait(web.driver, TIMEOUT).until(lambda d: len(_rows(web, "spans")) == 6)
    assert "status=ERROR" not in web.path

    web.open(web.path.split("/spans")[0] + "/metrics")
    assert len(web.all("figure.chart svg")) == 4
    assert len(web.all("#chart-traces rect")) >= 1
    assert len(web.all("#chart-latency circle")) >= 2
    assert "with errors up to 1" in (web.find("#chart-traces svg").get_attribute("aria-label") or "")
    web.screenshot("metrics")

    web.open("/profile")
    assert "Authentication is off" in web.text("main")
    web.open("/login")
    web.wait_path("/projects")
