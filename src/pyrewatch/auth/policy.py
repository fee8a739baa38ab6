"""The one authorization policy for every transport (REST, GraphQL, gRPC, web UI).

``decide`` answers whether a principal may perform an action and, when not, why. The reason is a
``Denial`` whose wire texts (REST and GraphQL differ slightly, as in Phoenix) live here too, so a
surface only chooses which text to show, never which rule applies.
"""

from __future__ import annotations

from enum import Enum, StrEnum

from pyrewatch.auth.principal import Principal, Via
from pyrewatch.errors import PyrewatchError


class Action(StrEnum):
    READ = "read"  # read data: projects, spans, traces, annotations, GraphQL queries
    WRITE = "write"  # write data: create projects, annotations, notes, deletes of spans/traces
    INGEST = "ingest"  # OTLP export
    ADMIN_WRITE = "admin_write"  # update or delete a project
    LIST_USERS = "list_users"
    MANAGE_USERS = "manage_users"  # create, patch, delete users
    READ_SELF = "read_self"  # GET /v1/user, GraphQL viewer
    PATCH_SELF = "patch_self"  # own username and password
    CREATE_SYSTEM_KEY = "create_system_key"
    LIST_SYSTEM_KEYS = "list_system_keys"
    REVOKE_SYSTEM_KEY = "revoke_system_key"
    CREATE_USER_KEY = "create_user_key"  # a key owned by the caller
    LIST_OWN_KEYS = "list_own_keys"
    REVOKE_USER_KEY = "revoke_user_key"  # needs owner_id
    LIST_ALL_USER_KEYS = "list_all_user_keys"
    READ_AUDIT = "read_audit"  # GET /v1/audit_events


class Scope(StrEnum):
    """What a scoped API key may do, always within what its owner's role allows."""

    INGEST = "ingest"  # OTLP export, HTTP and gRPC
    READ = "read"  # GET on /v1, GraphQL queries, POST /v1/spans queries


# The actions each scope admits; a scoped key is refused every other action.
SCOPE_ACTIONS: dict[Scope, frozenset[Action]] = {
    Scope.INGEST: frozenset({Action.INGEST}),
    Scope.READ: frozenset(
        {
            Action.READ,
            Action.READ_SELF,
            Action.LIST_OWN_KEYS,
            Action.LIST_USERS,
            Action.LIST_SYSTEM_KEYS,
            Action.LIST_ALL_USER_KEYS,
            Action.READ_AUDIT,
        }
    ),
}


_ACTIONS_BY_SCOPE: dict[str, frozenset[Action]] = {scope.value: actions for scope, actions in SCOPE_ACTIONS.items()}


class Denial(Enum):
    """Why an action was refused: (HTTP status, REST text, GraphQL text)."""

    UNAUTHENTICATED = (401, "Invalid token", "Invalid token")
    PASSWORD_RESET_REQUIRED = (
        403,
        "Password reset required: change your password before using this session.",
        "Password reset required: change your password before using this session",
    )
    AUTH_DISABLED = (
        403,
        "This action requires authentication to be enabled. Set the PHOENIX_ENABLE_AUTH environment variable to true.",
        "Authentication must be enabled to manage API keys",
    )
    VIEWER = (403, "Viewers cannot perform this action.", "Viewers cannot perform this action")
    NOT_ADMIN = (403, "Only admin or system users can perform this action.", "Only admin can perform this action")
    API_KEY_CANNOT_MINT = (403, "API keys cannot create API keys", "API keys cannot create API keys")
    SYSTEM_PRINCIPAL_NO_PERSONAL_KEYS = (
        403,
        "System API keys must be managed through the /system/api_keys endpoints.",
        "System API keys cannot manage personal API keys",
    )
    KEY_NOT_FOUND = (404, "API key not found", "API key not found")
    OUT_OF_SCOPE = (
        403,
        "This API key's scopes do not allow this action.",
        "This API key's scopes do not allow this action",
    )
    PROJECT_NOT_BOUND = (
        403,
        "This API key is not bound to this project.",
        "This API key is not bound to this project",
    )

    @property
    def status(self) -> int:
        return self.value[0]

    @property
    def rest_message(self) -> str:
        return self.value[1]

    @property
    def graphql_message(self) -> str:
        return self.value[2]


class NotAllowed(PyrewatchError):
    """Raised by ``require``; carries the ``Denial`` so each surface renders its own text."""

    def __init__(self, denial: Denial) -> None:
        super().__init__(denial.rest_message)
        self.denial = denial


# Actions that create, list or revoke credentials: refused while auth is off, so nothing made
# then can become a live credential once auth is turned on.
_CREDENTIAL_ACTIONS = frozenset(
    {
        Action.LIST_USERS,
        Action.MANAGE_USERS,
        Action.PATCH_SELF,
        Action.CREATE_SYSTEM_KEY,
        Action.LIST_SYSTEM_KEYS,
        Action.REVOKE_SYSTEM_KEY,
        Action.CREATE_USER_KEY,
        Action.LIST_OWN_KEYS,
        Action.REVOKE_USER_KEY,
        Action.LIST_ALL_USER_KEYS,
        Action.READ_AUDIT,
    }
)
_WRITES = frozenset({Action.WRITE, Action.INGEST})
_ADMIN_ONLY = frozenset(
    {
        Action.LIST_USERS,
        Action.LIST_SYSTEM_KEYS,
        Action.LIST_ALL_USER_KEYS,
        Action.REVOKE_SYSTEM_KEY,
        Action.READ_AUDIT,
    }
)
# A session whose password must be reset may only look at itself and change its password.
_ALLOWED_BEFORE_RESET = frozenset({Action.READ_SELF, Action.PATCH_SELF})


def decide(principal: Principal, action: Action, owner_id: int | None = None) -> Denial | None:
    """Return ``None`` when ``principal`` may perform ``action``, else the reason it may not.

    Args:
        principal: the authenticated caller.
        action: what the caller wants to do.
        owner_id: for ``REVOKE_USER_KEY``, the user who owns the key.
    """
    # Guard 1: with auth on, no credential means no access at all.
    if principal.via is Via.ANONYMOUS:
        return Denial.UNAUTHENTICATED
    # Guard 2: with auth off, data is open but credentials cannot be managed.
    if principal.via is Via.AUTH_DISABLED:
        return Denial.AUTH_DISABLED if action in _CREDENTIAL_ACTIONS else None
    # Guard 3: the server, not only the UI, holds a must-reset session to the password change.
    if principal.must_reset_password and principal.via is Via.SESSION and action not in _ALLOWED_BEFORE_RESET:
        return Denial.PASSWORD_RESET_REQUIRED
    # Guard 4: a scoped key only ever narrows its owner's role.
    if principal.scopes is not None and not any(
        action in _ACTIONS_BY_SCOPE.get(scope, frozenset()) for scope in principal.scopes
    ):
        return Denial.OUT_OF_SCOPE
    return _decide_authenticated(principal, action, owner_id)


def _decide_authenticated(principal: Principal, action: Action, owner_id: int | None) -> Denial | None:
    if action in (Action.READ, Action.READ_SELF, Action.PATCH_SELF, Action.LIST_OWN_KEYS):
        return None
    if action in _WRITES:
        return Denial.VIEWER if principal.is_viewer else None
    if action in (Action.ADMIN_WRITE, Action.MANAGE_USERS):
        if principal.is_viewer:
            return Denial.VIEWER
        return None if principal.is_admin else Denial.NOT_ADMIN
    if action in _ADMIN_ONLY:
        return None if principal.is_admin else Denial.NOT_ADMIN
    if action is Action.CREATE_SYSTEM_KEY:
        if principal.is_viewer:
            return Denial.VIEWER
        if not principal.is_admin:
            return Denial.NOT_ADMIN
        # Only a person's session or the admin secret mints system keys; never an API key.
        return Denial.API_KEY_CANNOT_MINT if principal.is_api_key else None
    if action is Action.CREATE_USER_KEY:
        # A key needs a human owner who proved who they are with a session.
        return None if principal.via is Via.SESSION else Denial.API_KEY_CANNOT_MINT
    if action is Action.REVOKE_USER_KEY:
        return _decide_revoke_user_key(principal, owner_id)
    raise AssertionError(f"unhandled action {action}")  # pragma: no cover


def _decide_revoke_user_key(principal: Principal, owner_id: int | None) -> Denial | None:
    if principal.via is Via.SYSTEM_KEY:
        return Denial.SYSTEM_PRINCIPAL_NO_PERSONAL_KEYS
    if principal.is_admin:
        return None
    if owner_id is not None and owner_id == principal.user_id:
        return None
    # Non-enumerating: someone else's key looks exactly like a missing one.
    return Denial.KEY_NOT_FOUND


def require(principal: Principal, action: Action, owner_id: int | None = None) -> None:
    """Raise ``NotAllowed`` unless ``decide`` allows the action."""
    denial = decide(principal, action, owner_id)
    if denial is not None:
        raise NotAllowed(denial)


def decide_project(principal: Principal, project_name: str) -> Denial | None:
    """``None`` when ``principal`` may reach ``project_name`` at all (a project-bound key only
    reaches the projects it is bound to), else the reason it may not. Combine with ``decide``."""
    if principal.projects is None or project_name in principal.projects:
        return None
    return Denial.PROJECT_NOT_BOUND


def require_project(principal: Principal, project_name: str) -> None:
    """Raise ``NotAllowed`` unless ``principal`` may reach ``project_name``."""
    denial = decide_project(principal, project_name)
    if denial is not None:
        raise NotAllowed(denial)


def decide_graphql_query(principal: Principal) -> Denial | None:
    """A scoped key runs GraphQL queries only with the ``read`` scope (each field then asks the
    policy as usual); mutations are decided field by field, by the action each performs."""
    if principal.scopes is None:
        return None
    return decide(principal, Action.READ)


def visible_projects(principal: Principal) -> frozenset[str] | None:
    """The project names a listing may show ``principal``; ``None`` means every project."""
    return principal.projects
