"""Admin endpoints for Starshipit accounts and warehouses."""

from __future__ import annotations

from uuid import UUID

from litestar.params import FromPath
from litestar import Controller, Request, get, patch, post

from app.domain.accounts.schemas import AccountCreate, AccountRead, AccountUpdate, WarehouseCreate, WarehouseRead, WarehouseUpdate
from app.domain.accounts.services import (
    create_account,
    create_warehouse,
    get_account,
    list_accounts,
    list_warehouses,
    update_account,
    update_warehouse,
)
from app.domain.auth.guards import requires_admin
from app.lib.deps import DatabaseDep
from app.lib.logging import get_logger
from app.lib.wire import decode_body

__all__ = ["AccountController", "WarehouseController"]

log = get_logger(__name__)


class AccountController(Controller):
    path = "/api/v1/accounts"
    tags = ["accounts"]
    guards = [requires_admin]

    @get("/", operation_id="ListAccounts", cache=False)
    async def list_accounts(self, db: DatabaseDep) -> list[AccountRead]:
        """List every Starshipit account (admin)."""
        async with db.read() as session:
            return await list_accounts(session)

    @get("/{account_id:uuid}", operation_id="GetAccount", cache=False)
    async def get_account(self, db: DatabaseDep, account_id: FromPath[UUID]) -> AccountRead:
        """Return one account (admin)."""
        async with db.read() as session:
            return await get_account(session, account_id)

    @post("/", operation_id="CreateAccount", status_code=201)
    async def create_account(self, request: Request, db: DatabaseDep) -> AccountRead:
        """Create a Starshipit account (admin)."""
        data = decode_body(await request.body(), AccountCreate)
        async with db.transaction() as session:
            account = await create_account(session, data)
        log.info("account created", account_id=str(account.id), account=account.code, user_id=str(request.user.id))
        return account

    @patch("/{account_id:uuid}", operation_id="UpdateAccount")
    async def update_account(self, request: Request, db: DatabaseDep, account_id: FromPath[UUID]) -> AccountRead:
        """Change an account's name, keys, secret, warehouse, parent or rate (admin)."""
        data = decode_body(await request.body(), AccountUpdate)
        async with db.transaction() as session:
            account = await update_account(session, account_id, data)
        log.info("account updated", account_id=str(account_id), account=account.code, user_id=str(request.user.id))
        return account


class WarehouseController(Controller):
    path = "/api/v1/warehouses"
    tags = ["warehouses"]

    @get("/", operation_id="ListWarehouses", cache=False)
    async def list_warehouses(self, db: DatabaseDep) -> list[WarehouseRead]:
        """List every warehouse (any signed-in user: the order board picks one)."""
        async with db.read() as session:
            return await list_warehouses(session)

    @post("/", operation_id="CreateWarehouse", status_code=201, guards=[requires_admin])
    async def create_warehouse(self, request: Request, db: DatabaseDep) -> WarehouseRead:
        """Create a warehouse with its outbound mode (admin)."""
        data = decode_body(await request.body(), WarehouseCreate)
        async with db.transaction() as session:
            warehouse = await create_warehouse(session, data)
        log.info("warehouse created", warehouse_id=str(warehouse.id), warehouse=warehouse.code, user_id=str(request.user.id))
        return warehouse

    @patch("/{warehouse_id:uuid}", operation_id="UpdateWarehouse", guards=[requires_admin])
    async def update_warehouse(self, request: Request, db: DatabaseDep, warehouse_id: FromPath[UUID]) -> WarehouseRead:
        """Rename a warehouse or change its outbound mode (admin)."""
        data = decode_body(await request.body(), WarehouseUpdate)
        async with db.transaction() as session:
            warehouse = await update_warehouse(session, warehouse_id, data)
        log.info("warehouse updated", warehouse_id=str(warehouse_id), outbound_mode=warehouse.outbound_mode, user_id=str(request.user.id))
        return warehouse
