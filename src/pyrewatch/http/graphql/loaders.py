"""Per-request DataLoaders: a field resolved once per row (a key's ``user``) is loaded for
every row in one service call, not one transaction per row."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from strawberry.dataloader import DataLoader

from pyrewatch.auth.policy import NotAllowed
from pyrewatch.auth.principal import Principal
from pyrewatch.db.models import User
from pyrewatch.db.session import SessionFactory, transaction
from pyrewatch.errors import NotFound
from pyrewatch.services import users as user_service


@dataclass(frozen=True)
class Loaders:
    users: DataLoader[int, User]


def make_loaders(factory: SessionFactory, principal: Principal) -> Loaders:
    async def load_users(user_ids: Sequence[int]) -> list[User | BaseException]:
        try:
            async with transaction(factory) as session:
                found = await user_service.users_by_ids(session, principal, user_ids)
        except NotAllowed as exc:
            return [exc for _ in user_ids]
        return [found.get(user_id) or NotFound("User not found") for user_id in user_ids]

    return Loaders(users=DataLoader(load_fn=load_users))
