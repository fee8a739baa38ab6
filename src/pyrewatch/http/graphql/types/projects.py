"""``Project`` and its spans and traces."""

from __future__ import annotations
