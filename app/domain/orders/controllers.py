"""Orders read API: lists for the order board and one order with its lines and status history."""

from __future__ import annotations

from typing import Annotated
from uuid import UUID

from litestar import Controller, Request, get
from litestar.datastructures import State
from litestar.params import FromPath, FromQuery, QueryParameter

from app.domain.auth.schemas import AuthUser
from app.domain.orders.queries import OrderDetail, OrderPage, get_order, list_orders
from app.lib.deps import DatabaseDep

__all__ = ["OrderReadController"]


def _account_scope(_user: AuthUser) -> UUID | None:
    """Return the account a caller is limited to, or None for WMS users, who see every account.

    NOTE: bearer tokens identify only WMS users so far. When integration credentials exist, this
    returns the integration's account, and every order query below already filters by it.
    """
    return None


class OrderReadController(Controller):
    path = "/api/v1/orders"
    tags = ["orders"]

    @get("/", operation_id="ListOrders", cache=False)
    async def list_orders(
        self,
        request: Request[AuthUser, object, State],
        db: DatabaseDep,
        order_number: FromQuery[str | None] = None,
        status: Annotated[str | None, QueryParameter(description="PENDING, RELEASED, PARTIALLY_SHIPPED, SHIPPED or CANCELLED")] = None,
        account: Annotated[str | None, QueryParameter(description="Account code")] = None,
        warehouse: Annotated[str | None, QueryParameter(description="Warehouse code")] = None,
        cursor: Annotated[UUID | None, QueryParameter(description="Order id after which the next page starts")] = None,
        limit: FromQuery[int] = 50,
    ) -> OrderPage:
        """Return a page of orders, newest first, and the newest status seq for live resume."""
        async with db.read() as session:
            return await list_orders(
                session,
                order_number=order_number,
                status=status,
                account=account,
                warehouse=warehouse,
                account_scope=_account_scope(request.user),
                cursor=cursor,
                limit=limit,
            )

    @get("/{order_id:uuid}", operation_id="GetOrder", cache=False)
    async def get_order(self, request: Request[AuthUser, object, State], db: DatabaseDep, order_id: FromPath[UUID]) -> OrderDetail:
        """Return one order with its lines and status history."""
        async with db.read() as session:
            return await get_order(session, order_id, account_scope=_account_scope(request.user))
