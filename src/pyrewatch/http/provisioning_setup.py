"""Start-up: apply ``PYREWATCH_PROVISIONING_FILE`` (read here, in the composition root)."""

from __future__ import annotations

import logging

from pyrewatch.db.session import SessionFactory
from pyrewatch.services.provisioning_apply import apply_declaration
from pyrewatch.services.provisioning_file import load_declaration
from pyrewatch.settings import Settings

logger = logging.getLogger(__name__)


async def apply_provisioning_file(settings: Settings, factory: SessionFactory, system_user_id: int) -> None:
    """Apply the file, if one is configured. An invalid file stops start-up (``ConfigurationError``)."""
    if settings.provisioning_file is None:
        return
    declaration = load_declaration(settings.provisioning_file)
    changes = await apply_declaration(factory, declaration, system_user_id=system_user_id)
    for line in changes:
        logger.info("provisioning: %s", line)
    logger.info("provisioning: %s applied (%d change(s))", settings.provisioning_file, len(changes))
