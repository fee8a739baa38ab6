"""Wire models for the API-key routes, named like Phoenix's OpenAPI components."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, Field, field_validator

from pyrewatch.clock import ensure_utc, now_utc
from pyrewatch.ids import encode_global_id
from pyrewatch.services.api_keys import MAX_DESCRIPTION_LENGTH, MAX_NAME_LENGTH, KeyView


class ApiKeyData(BaseModel):
    name: str = Field(description="A human-readable name for the API key.")
    description: str | None = Field(
        default=None,
        description="An optional description of what the API key is for.",
        max_length=MAX_DESCRIPTION_LENGTH,
    )
    expires_at: datetime | None = Field(
        default=None, description="When the API key expires. The key never expires when omitted."
    )
    # Pyrewatch additions: narrow what the key may do.
    scopes: list[str] | None = Field(
        default=None,
        description="What the key may do: any of 'ingest' and 'read'. The owner's full role when omitted.",
    )
    projects: list[str] | None = Field(
        default=None,
        description="Project names or Project GlobalIDs the key is bound to. Every project when omitted.",
    )

    @field_validator("name")
    @classmethod
    def _name_not_empty(cls, value: str) -> str:
        value = value.strip()
        if not value:
            raise ValueError("Name cannot be empty")
        if len(value) > MAX_NAME_LENGTH:
            raise ValueError(f"Name must be at most {MAX_NAME_LENGTH} characters")
        return value

    @field_validator("expires_at")
    @classmethod
    def _expires_in_future(cls, value: datetime | None) -> datetime | None:
        if value is None:
            return None
        try:
            value = ensure_utc(value)
        except OverflowError:
            raise ValueError("Expiration time is out of range once converted to UTC") from None
        if value <= now_utc():
            raise ValueError("Expiration time must be in the future")
        return value


class CreateApiKeyRequestBody(BaseModel):
    data: ApiKeyData


class ApiKey(BaseModel):
    id: str
    name: str
    description: str | None = None
    created_at: datetime
    expires_at: datetime | None = None
    # Pyrewatch addition: when the key last authenticated a request (updated about once a minute).
    last_used_at: datetime | None = None
    # Pyrewatch additions: omitted for the owner's full role and for every project.
    scopes: list[str] | None = None
    projects: list[str] | None = None

    @classmethod
    def from_view(cls, key: KeyView, type_name: str) -> ApiKey:
        return cls(
            id=encode_global_id(type_name, key.id),
            name=key.name,
            description=key.description,
            created_at=key.created_at,
            expires_at=key.expires_at,
            last_used_at=key.last_used_at,
            scopes=None if key.scopes is None else list(key.scopes),
            projects=None if key.projects is None else list(key.projects),
        )


class CreatedApiKey(ApiKey):
    key: str = Field(
        description=(
            "The API key. This is the only time it is returned; it cannot be recovered from the listing endpoints."
        )
    )


class ApiKeyUser(BaseModel):
    id: str
    username: str
    email: str | None


class UserApiKey(ApiKey):
    user: ApiKeyUser


class GetApiKeysResponseBody(BaseModel):
    data: list[ApiKey]


class CreateApiKeyResponseBody(BaseModel):
    data: CreatedApiKey


class GetAllUserApiKeysResponseBody(BaseModel):
    data: list[UserApiKey]
    next_cursor: str | None


class RotateApiKeyRequestBody(BaseModel):
    grace_seconds: int = Field(
        default=86_400,
        description="How long the old key keeps working, in seconds (0: refused at once).",
    )
