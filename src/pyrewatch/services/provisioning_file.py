"""The provisioning file (``PYREWATCH_PROVISIONING_FILE``, YAML or TOML): users and system keys
declared by digest, checked offline, and applied idempotently.

What the file manages is marked (users: ``provisioned``; keys: ``created_via = PROVISIONING``).
Applying creates what is missing, updates what differs and removes what it manages but no longer
lists; it never touches anything else. It runs under the start-up lock, so replicas starting
together apply it once.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from pyrewatch.auth import api_keys as key_format
from pyrewatch.auth.principal import ASSIGNABLE_ROLES
from pyrewatch.auth.requirements import is_valid_email, normalize_email
from pyrewatch.clock import ensure_utc
from pyrewatch.errors import ConfigurationError, InvalidInput
from pyrewatch.services import key_bindings

__all__ = ["DeclaredKey", "DeclaredUser", "Declaration", "load_declaration", "parse_declaration"]

_USER_FIELDS = {"email", "username", "role"}
_KEY_FIELDS = {"name", "description", "scopes", "projects", "expires_at", "digest"}


@dataclass(frozen=True)
class DeclaredUser:
    email: str
    username: str
    role: str


@dataclass(frozen=True)
class DeclaredKey:
    name: str
    key_id: str
    secret_digest: str
    description: str | None = None
    scopes: tuple[str, ...] | None = None
    projects: tuple[str, ...] | None = None
    expires_at: datetime | None = None


@dataclass(frozen=True)
class Declaration:
    users: tuple[DeclaredUser, ...] = ()
    system_keys: tuple[DeclaredKey, ...] = field(default_factory=tuple)


def load_declaration(path: Path) -> Declaration:
    """Read and check a provisioning file.

    Raises:
        ConfigurationError: unreadable, not valid YAML or TOML (with the line), or an entry that
            breaks a rule (with the entry, and its line when the format tells it).
    """
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeError) as exc:
        raise ConfigurationError(f"{path}: cannot read the provisioning file: {exc}") from None
    return parse_declaration(text, yaml=path.suffix.lower() in (".yaml", ".yml"), source=str(path))


def parse_declaration(text: str, *, yaml: bool, source: str = "provisioning file") -> Declaration:
    document = _parse_yaml(text, source) if yaml else _parse_toml(text, source)
    if document is None:
        document = {}
    if not isinstance(document, dict):
        raise ConfigurationError(f"{source}: the top level must be a mapping with `users` and `system_keys`")
    unknown = sorted(set(document) - {"users", "system_keys"})
    if unknown:
        raise ConfigurationError(f"{source}: unknown section {unknown[0]!r} (expected users, system_keys)")
    lines = _entry_lines(text, yaml)
    users = tuple(
        _user(item, f"{source}: users[{i}]{lines.get(('users', i), '')}")
        for i, item in enumerate(_list(document, "users", source))
    )
    keys = tuple(
        _key(item, f"{source}: system_keys[{i}]{lines.get(('system_keys', i), '')}")
        for i, item in enumerate(_list(document, "system_keys", source))
    )
    _unique([u.email for u in users], "users", "email", source)
    _unique([u.username for u in users], "users", "username", source)
    _unique([k.key_id for k in keys], "system_keys", "digest", source)
    return Declaration(users=users, system_keys=keys)


def _parse_toml(text: str, source: str) -> Any:
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigurationError(f"{source}: invalid TOML: {exc}") from None


def _parse_yaml(text: str, source: str) -> Any:
    import yaml as pyyaml  # type: ignore[import-untyped]

    try:
        return pyyaml.safe_load(text)
    except pyyaml.MarkedYAMLError as exc:
        mark = exc.problem_mark
        where = f" at line {mark.line + 1}" if mark is not None else ""
        raise ConfigurationError(f"{source}: invalid YAML{where}: {exc.problem}") from None
    except pyyaml.YAMLError as exc:
        raise ConfigurationError(f"{source}: invalid YAML: {exc}") from None


def _entry_lines(text: str, yaml: bool) -> dict[tuple[str, int], str]:
    """Where each entry starts (`` (line N)``), for error messages."""
    found: dict[tuple[str, int], str] = {}
    section: str | None = None
    counts = {"users": 0, "system_keys": 0}
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.strip()
        if not yaml and line in ("[[users]]", "[[system_keys]]"):
            section = line.strip("[]")
        elif yaml and line.rstrip(":") in counts and not raw.startswith((" ", "\t")):
            section = line.rstrip(":")
            continue
        elif not (yaml and section is not None and line.startswith("- ")):
            continue
        assert section is not None
        found[(section, counts[section])] = f" (line {number})"
        counts[section] += 1
    return found


def _list(document: dict[str, Any], name: str, source: str) -> list[Any]:
    items = document.get(name) or []
    if not isinstance(items, list):
        raise ConfigurationError(f"{source}: `{name}` must be a list")
    return items


def _unique(values: list[str], section: str, what: str, source: str) -> None:
    seen: set[str] = set()
    for value in values:
        if value in seen:
            raise ConfigurationError(f"{source}: {section}: {what} {value!r} is declared twice")
        seen.add(value)


def _mapping(item: Any, where: str, allowed: set[str]) -> dict[str, Any]:
    if not isinstance(item, dict):
        raise ConfigurationError(f"{where}: must be a mapping")
    unknown = sorted(set(item) - allowed)
    if unknown:
        raise ConfigurationError(f"{where}: unknown field {unknown[0]!r} (expected {', '.join(sorted(allowed))})")
    return item


def _text(item: dict[str, Any], name: str, where: str, *, required: bool = True) -> str | None:
    value = item.get(name)
    if value is None and not required:
        return None
    if not isinstance(value, str) or not value.strip() or "\x00" in value or len(value) > 2000:
        raise ConfigurationError(f"{where}: `{name}` must be non-empty text")
    return value.strip()


def _user(item: Any, where: str) -> DeclaredUser:
    item = _mapping(item, where, _USER_FIELDS)
    email = normalize_email(_text(item, "email", where) or "")
    if not is_valid_email(email):
        raise ConfigurationError(f"{where}: `email` {email!r} is not an email address")
    username = _text(item, "username", where) or ""
    role = str(item.get("role", "")).upper()
    if role not in {r.value for r in ASSIGNABLE_ROLES}:
        raise ConfigurationError(f"{where}: `role` must be one of ADMIN, MEMBER, VIEWER")
    return DeclaredUser(email=email, username=username, role=role)


def _key(item: Any, where: str) -> DeclaredKey:
    item = _mapping(item, where, _KEY_FIELDS)
    name = _text(item, "name", where) or ""
    parsed = key_format.parse_digest_line(_text(item, "digest", where) or "")
    if parsed is None or parsed.kind is not key_format.KeyKind.SYSTEM:
        raise ConfigurationError(f"{where}: `digest` must be a system key's digest line from `pyrewatch keys generate`")
    try:
        scopes = None if item.get("scopes") is None else key_bindings.validate_scopes(_strings(item, "scopes", where))
        projects = None if item.get("projects") is None else _project_names(_strings(item, "projects", where))
    except InvalidInput as exc:
        raise ConfigurationError(f"{where}: {exc.message}") from None
    return DeclaredKey(
        name=name,
        key_id=parsed.key_id,
        secret_digest=parsed.secret_digest,
        description=_text(item, "description", where, required=False),
        scopes=scopes,
        projects=projects,
        expires_at=_expiry(item.get("expires_at"), where),
    )


def _strings(item: dict[str, Any], name: str, where: str) -> list[str]:
    value = item[name]
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise ConfigurationError(f"{where}: `{name}` must be a list of text")
    return value


def _project_names(names: list[str]) -> tuple[str, ...]:
    """Project names (ids are not allowed here: the file must mean the same on any database)."""
    if not names:
        raise InvalidInput("projects must not be empty: omit it for every project")
    from pyrewatch.services.projects import check_project_name

    return tuple(sorted({check_project_name(name) for name in names}))


def _expiry(value: Any, where: str) -> datetime | None:
    if value is None:
        return None
    try:
        moment = value if isinstance(value, datetime) else datetime.fromisoformat(str(value))
        return ensure_utc(moment)
    except (ValueError, OverflowError):
        raise ConfigurationError(f"{where}: `expires_at` must be an ISO 8601 time") from None
