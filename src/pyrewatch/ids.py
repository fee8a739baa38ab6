"""Typed ids and Relay GlobalIDs (base64 of ``"<Type>:<int id>"``), the id form Phoenix puts on the wire."""

from __future__ import annotations

import base64
import binascii

# Row ids are 32-bit integer columns: a larger id names no row (and PostgreSQL would reject it
# as a parameter), so lookups treat it as "not found" and cursors clamp to it.
MAX_ROW_ID = 2**31 - 1


def encode_global_id(type_name: str, node_id: int) -> str:
    return base64.b64encode(f"{type_name}:{node_id}".encode()).decode()


def decode_global_id(global_id: str) -> tuple[str, int] | None:
    """Return ``(type_name, id)`` or ``None`` when the string is not a well-formed GlobalID."""
    try:
        raw = base64.b64decode(global_id.encode("ascii"), validate=True).decode("utf-8")
    except (binascii.Error, UnicodeError, ValueError):
        return None
    type_name, sep, node_id = raw.partition(":")
    if not sep or not type_name or not node_id.isdigit() or not node_id.isascii():
        return None
    value = int(node_id)
    if value > 2**63 - 1:
        return None
    return type_name, value


def parse_typed_global_id(global_id: str, expected_type: str) -> int | None:
    """The numeric id of a GlobalID of ``expected_type``, or ``None`` for anything else."""
    decoded = decode_global_id(global_id)
    if decoded is None or decoded[0] != expected_type:
        return None
    return decoded[1]
