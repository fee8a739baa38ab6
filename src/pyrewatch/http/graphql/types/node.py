"""The Relay ``Node`` interface. Ids are GlobalIDs: base64 of ``"<Type>:<int id>"``."""

from __future__ import annotations

import strawberry


@strawberry.interface
class Node:
    id: strawberry.ID
