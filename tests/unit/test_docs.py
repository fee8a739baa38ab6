"""The documentation must keep up with the code: every setting is documented."""

from __future__ import annotations

from pathlib import Path

import pytest

from pyrewatch.settings import SETTINGS

DOCS = Path(__file__).resolve().parents[2] / "docs"


@pytest.mark.parametrize("name", [v.name for v in SETTINGS])
def test_every_setting_is_documented(name: str) -> None:
    assert f"`{name}`" in (DOCS / "configuration.md").read_text()
