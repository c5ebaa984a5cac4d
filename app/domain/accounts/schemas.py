"""Wire types of account and warehouse administration.

Secrets (API key, subscription key, webhook secret) are write-only: reads show the last four
characters so an admin can tell which one is set.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated
from uuid import UUID

import msgspec
from msgspec import UNSET, UnsetType

__all__ = ["AccountCreate", "AccountRead", "AccountUpdate", "WarehouseCreate", "WarehouseRead", "WarehouseUpdate"]

Code = Annotated[str, msgspec.Meta(pattern=r"^[a-z0-9][a-z0-9_-]{0,39}$", description="Lower-case letters, digits, - and _")]
Name = Annotated[str, msgspec.Meta(min_length=1, max_length=200)]
Secret = Annotated[str, msgspec.Meta(min_length=16, max_length=200)]
Key = Annotated[str, msgspec.Meta(max_length=200)]
RequestsPerSecond = Annotated[int, msgspec.Meta(ge=1, le=100)]
OutboundModeName = Annotated[str, msgspec.Meta(pattern=r"^(headless|full|hybrid)$")]


class AccountCreate(msgspec.Struct, forbid_unknown_fields=True):
    """A Starshipit account; ``default_warehouse`` and ``parent_account`` are codes."""

    code: Code
    name: Name
    webhook_secret: Secret
    default_warehouse: str
    api_key: Key = ""
    subscription_key: Key = ""
    parent_account: str | None = None
    requests_per_second: RequestsPerSecond = 2
    active: bool = True


class AccountUpdate(msgspec.Struct, forbid_unknown_fields=True):
    """Fields to change; the code is fixed because Starshipit's webhook URLs contain it."""

    name: Name | UnsetType = UNSET
    webhook_secret: Secret | UnsetType = UNSET
    api_key: Key | UnsetType = UNSET
    subscription_key: Key | UnsetType = UNSET
    default_warehouse: str | UnsetType = UNSET
    parent_account: str | None | UnsetType = UNSET
    requests_per_second: RequestsPerSecond | UnsetType = UNSET
    active: bool | UnsetType = UNSET


class AccountRead(msgspec.Struct):
    """An account as shown to admins; secrets appear only as their last four characters."""

    id: UUID
    code: str
    name: str
    api_key_hint: str
    subscription_key_hint: str
    webhook_secret_hint: str
    default_warehouse: str
    default_warehouse_id: UUID
    parent_account: str | None
    requests_per_second: int
    active: bool
    orders_webhook_path: str
    tracking_webhook_path: str
    created_at: datetime
    updated_at: datetime


class WarehouseCreate(msgspec.Struct, forbid_unknown_fields=True):
    code: Annotated[str, msgspec.Meta(pattern=r"^[A-Za-z0-9][A-Za-z0-9_-]{0,39}$")]
    name: Name
    outbound_mode: OutboundModeName = "headless"


class WarehouseUpdate(msgspec.Struct, forbid_unknown_fields=True):
    name: Name | UnsetType = UNSET
    outbound_mode: OutboundModeName | UnsetType = UNSET


class WarehouseRead(msgspec.Struct):
    id: UUID
    code: str
    name: str
    outbound_mode: str
    created_at: datetime
    updated_at: datetime
