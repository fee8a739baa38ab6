"""The server's default retention policy, from its settings."""

from __future__ import annotations

from pyrewatch.services.retention import RetentionDefaults
from pyrewatch.settings import Settings

__all__ = ["retention_defaults"]


def retention_defaults(settings: Settings) -> RetentionDefaults:
    return RetentionDefaults(
        max_age_days=settings.retention_max_age_days or None,
        max_spans=settings.retention_max_spans or None,
    )
