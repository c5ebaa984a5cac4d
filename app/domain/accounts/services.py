"""Creating, changing and listing Starshipit accounts and warehouses."""

from __future__ import annotations

from uuid import UUID

from msgspec import UNSET
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from app.db.models import Account, Warehouse
from app.domain.accounts.schemas import AccountCreate, AccountRead, AccountUpdate, WarehouseCreate, WarehouseRead, WarehouseUpdate
from app.lib.errors import ConflictError, InvalidInputError, NotFoundError

__all__ = [
    "create_account",
    "create_warehouse",
    "list_accounts",
    "list_warehouses",
    "mask_secret",
    "update_account",
    "update_warehouse",
]


def mask_secret(secret: str) -> str:
    """Return only the last four characters of ``secret``; short or empty secrets show nothing."""
    if not secret:
        return ""
    if len(secret) < 8:
        return "****"
    return "…" + secret[-4:]


def _account_read(account: Account, warehouse_code: str, parent_code: str | None) -> AccountRead:
    return AccountRead(
        id=account.id,
        code=account.code,
        name=account.name,
        api_key_hint=mask_secret(account.api_key),
        subscription_key_hint=mask_secret(account.subscription_key),
        webhook_secret_hint=mask_secret(account.webhook_secret),
        default_warehouse=warehouse_code,
        default_warehouse_id=account.default_warehouse_id,
        parent_account=parent_code,
        requests_per_second=account.requests_per_second,
        active=account.active,
        orders_webhook_path=f"/webhooks/starshipit/{account.code}/orders",
        tracking_webhook_path=f"/webhooks/starshipit/{account.code}/tracking",
        created_at=account.created_at,
        updated_at=account.updated_at,
    )


async def _read_account(session: AsyncSession, account: Account) -> AccountRead:
    warehouse_code = await session.scalar(select(Warehouse.code).where(Warehouse.id == account.default_warehouse_id))
    parent_code = None
    if account.parent_account_id is not None:
        parent_code = await session.scalar(select(Account.code).where(Account.id == account.parent_account_id))
    return _account_read(account, warehouse_code or "", parent_code)


async def _warehouse_by_code(session: AsyncSession, code: str) -> Warehouse:
    warehouse = await session.scalar(select(Warehouse).where(Warehouse.code == code))
    if warehouse is None:
        raise NotFoundError(f"warehouse {code!r} not found: create it first or use an existing code", field="default_warehouse")
    return warehouse


async def _parent_by_code(session: AsyncSession, code: str, child: Account | None) -> Account:
    parent = await session.scalar(select(Account).where(Account.code == code))
    if parent is None:
        raise NotFoundError(f"parent account {code!r} not found", field="parent_account")
    # Walk up from the proposed parent: meeting the child again would make a cycle.
    ancestor: Account | None = parent
    while ancestor is not None and child is not None:
        if ancestor.id == child.id:
            raise InvalidInputError(f"account {code!r} cannot be the parent of {child.code!r}: that makes a cycle", field="parent_account")
        ancestor = await session.get(Account, ancestor.parent_account_id) if ancestor.parent_account_id else None
    return parent


async def list_accounts(session: AsyncSession) -> list[AccountRead]:
    """Return every account ordered by code."""
    accounts = (await session.scalars(select(Account).order_by(Account.code))).all()
    warehouses = dict((await session.execute(select(Warehouse.id, Warehouse.code))).all())
    codes = {account.id: account.code for account in accounts}
    return [
        _account_read(account, warehouses.get(account.default_warehouse_id, ""), codes.get(account.parent_account_id))  # type: ignore[arg-type]
        for account in accounts
    ]


async def get_account(session: AsyncSession, account_id: UUID) -> AccountRead:
    """Return one account."""
    account = await session.get(Account, account_id)
    if account is None:
        raise NotFoundError(f"account {account_id} not found", account_id=str(account_id))
    return await _read_account(session, account)


async def create_account(session: AsyncSession, data: AccountCreate) -> AccountRead:
    """Create an account; its code must be unused."""
    if await session.scalar(select(Account.id).where(Account.code == data.code)):
        raise ConflictError(f"account code {data.code!r} is taken: choose another", field="code")
    warehouse = await _warehouse_by_code(session, data.default_warehouse)
    parent = await _parent_by_code(session, data.parent_account, None) if data.parent_account else None
    account = Account(
        code=data.code,
        name=data.name,
        webhook_secret=data.webhook_secret,
        api_key=data.api_key,
        subscription_key=data.subscription_key,
        default_warehouse_id=warehouse.id,
        parent_account_id=parent.id if parent else None,
        requests_per_second=data.requests_per_second,
        active=data.active,
    )
    session.add(account)
    await session.flush()
    return _account_read(account, warehouse.code, parent.code if parent else None)


async def update_account(session: AsyncSession, account_id: UUID, data: AccountUpdate) -> AccountRead:
    """Change the fields present in ``data``; a ``parent_account`` of null detaches the account."""
    account = await session.get(Account, account_id, with_for_update=True)
    if account is None:
        raise NotFoundError(f"account {account_id} not found", account_id=str(account_id))
    for name in ("name", "webhook_secret", "api_key", "subscription_key", "requests_per_second", "active"):
        value = getattr(data, name)
        if value is not UNSET:
            setattr(account, name, value)
    if data.default_warehouse is not UNSET:
        account.default_warehouse_id = (await _warehouse_by_code(session, data.default_warehouse)).id
    if data.parent_account is not UNSET:
        if data.parent_account is None:
            account.parent_account_id = None
        else:
            account.parent_account_id = (await _parent_by_code(session, data.parent_account, account)).id
    await session.flush()
    return await _read_account(session, account)


def _warehouse_read(warehouse: Warehouse) -> WarehouseRead:
    return WarehouseRead(
        id=warehouse.id,
        code=warehouse.code,
        name=warehouse.name,
        outbound_mode=warehouse.outbound_mode,
        created_at=warehouse.created_at,
        updated_at=warehouse.updated_at,
    )


async def list_warehouses(session: AsyncSession) -> list[WarehouseRead]:
    """Return every warehouse ordered by code."""
    return [_warehouse_read(warehouse) for warehouse in (await session.scalars(select(Warehouse).order_by(Warehouse.code))).all()]


async def create_warehouse(session: AsyncSession, data: WarehouseCreate) -> WarehouseRead:
    """Create a warehouse; its code must be unused."""
    if await session.scalar(select(Warehouse.id).where(Warehouse.code == data.code)):
        raise ConflictError(f"warehouse code {data.code!r} is taken: choose another", field="code")
    warehouse = Warehouse(code=data.code, name=data.name, outbound_mode=data.outbound_mode)
    session.add(warehouse)
    await session.flush()
    return _warehouse_read(warehouse)


async def update_warehouse(session: AsyncSession, warehouse_id: UUID, data: WarehouseUpdate) -> WarehouseRead:
    """Rename a warehouse or switch its outbound mode."""
    warehouse = await session.get(Warehouse, warehouse_id, with_for_update=True)
    if warehouse is None:
        raise NotFoundError(f"warehouse {warehouse_id} not found", warehouse_id=str(warehouse_id))
    if data.name is not UNSET:
        warehouse.name = data.name
    if data.outbound_mode is not UNSET:
        warehouse.outbound_mode = data.outbound_mode
    await session.flush()
    return _warehouse_read(warehouse)
