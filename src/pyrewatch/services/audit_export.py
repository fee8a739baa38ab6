"""The audit log's chores while the server runs: every event as a JSON line in
``PYREWATCH_AUDIT_LOG_FILE`` (for a SIEM), retention (``PYREWATCH_AUDIT_RETENTION_DAYS``), and
one ``server.auth_settings`` event at start-up when the authentication settings changed.

The file is written from the database, after commit, in id order; it resumes after the last id
it holds, so a restart neither repeats nor skips what was committed in order.
"""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import AsyncIterator, Mapping
from contextlib import asynccontextmanager, suppress
from pathlib import Path
from typing import Any

from pyrewatch.auth.principal import Principal, Via
from pyrewatch.db.session import SessionFactory, transaction
from pyrewatch.services import audit, audit_log
from pyrewatch.store import audit as store
from pyrewatch.store.audit import AuditFilter

__all__ = ["audit_chores", "export_new_events", "note_auth_settings"]

logger = logging.getLogger(__name__)
EXPORT_INTERVAL_SECONDS = 1.0
RETENTION_INTERVAL_SECONDS = 3600.0
_BATCH = 1000
SETTINGS_ACTION = "server.auth_settings"


def _last_exported_id(path: Path) -> int:
    """The id on the last complete line of the file, or 0 for a missing or empty file."""
    if not path.exists():
        return 0
    last = 0
    with path.open("rb") as handle:
        for line in handle:
            with suppress(ValueError, AttributeError):
                last = int(json.loads(line).get("id", last))
    return last


async def export_new_events(factory: SessionFactory, path: Path, after_id: int) -> int:
    """Append the events after ``after_id`` to ``path`` as JSON lines; return the last id written."""
    while True:
        async with transaction(factory) as session:
            rows = await store.list_audit_events(session, AuditFilter(after_id=after_id), limit=_BATCH - 1)
        if not rows:
            return after_id
        lines = "".join(json.dumps(audit_log.view_of(row).as_json(), sort_keys=True) + "\n" for row in rows)
        await asyncio.to_thread(_append, path, lines)
        after_id = rows[-1].id
        if len(rows) < _BATCH:
            return after_id


def _append(path: Path, text: str) -> None:
    with path.open("a", encoding="utf-8") as handle:
        handle.write(text)


async def note_auth_settings(factory: SessionFactory, summary: Mapping[str, Any]) -> bool:
    """Record ``server.auth_settings`` when ``summary`` (no secrets: only fingerprints and
    switches) differs from the last one recorded. Returns whether it did."""
    async with transaction(factory) as session:
        rows = await store.list_audit_events(session, AuditFilter(action=SETTINGS_ACTION), limit=0)
        previous = (rows[0].details or {}).get("settings") if rows else None
        if previous == dict(summary):
            return False
        changed = sorted(k for k in summary if previous is None or previous.get(k) != summary[k])
        details = {"settings": dict(summary), "changed": changed}
        await audit.record(
            session, Principal(via=Via.ANONYMOUS), SETTINGS_ACTION, target_type="SERVER", details=details
        )
    return True


@asynccontextmanager
async def audit_chores(factory: SessionFactory, *, log_file: Path | None, retention_days: int) -> AsyncIterator[None]:
    """While the block runs: export new events every second (with ``log_file``) and apply the
    retention every hour (with ``retention_days`` > 0); export once more at exit."""
    last_id = await asyncio.to_thread(_last_exported_id, log_file) if log_file is not None else 0

    async def loop() -> None:
        nonlocal last_id
        waited = RETENTION_INTERVAL_SECONDS
        while True:
            try:
                if retention_days > 0 and waited >= RETENTION_INTERVAL_SECONDS:
                    waited = 0.0
                    async with transaction(factory) as session:
                        await audit_log.purge_expired(session, retention_days)
                if log_file is not None:
                    last_id = await export_new_events(factory, log_file, last_id)
            except Exception:
                logger.exception("audit log chore failed; will retry")
            await asyncio.sleep(EXPORT_INTERVAL_SECONDS)
            waited += EXPORT_INTERVAL_SECONDS

    task = asyncio.create_task(loop())
    try:
        yield
    finally:
        task.cancel()
        with suppress(asyncio.CancelledError):
            await task
        if log_file is not None:
            with suppress(Exception):
                await export_new_events(factory, log_file, last_id)
