"""Starshipit accounts and WMS users."""

from __future__ import annotations

from uuid import UUID

from sqlalchemy import Boolean, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from app.db.models._base import Role, UUIDv7AuditBase

__all__ = ["Account", "User"]


class Account(UUIDv7AuditBase):
    """A Starshipit account whose order events this WMS follows."""

    __tablename__ = "account"

    code: Mapped[str] = mapped_column(String(40), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    api_key: Mapped[str] = mapped_column(String(200), default="")
    subscription_key: Mapped[str] = mapped_column(String(200), default="")
    webhook_secret: Mapped[str] = mapped_column(String(200))
    default_warehouse_id: Mapped[UUID] = mapped_column(ForeignKey("warehouse.id", ondelete="RESTRICT"))
    parent_account_id: Mapped[UUID | None] = mapped_column(ForeignKey("account.id", ondelete="RESTRICT"), nullable=True)
    requests_per_second: Mapped[int] = mapped_column(Integer, default=2)
    active: Mapped[bool] = mapped_column(Boolean, default=True)


class User(UUIDv7AuditBase):
    # "user" is reserved in PostgreSQL.
    __tablename__ = "user_account"

    username: Mapped[str] = mapped_column(String(80), unique=True)
    display_name: Mapped[str] = mapped_column(String(200), default="")
    role: Mapped[str] = mapped_column(String(20), default=Role.OPERATOR.value)
    password_hash: Mapped[str | None] = mapped_column(String(300), nullable=True)
    # HMAC of the PIN under the server's secret key: a PIN alone identifies the operator on a shared
    # device, so it must be looked up by value without storing it.
    pin_lookup: Mapped[str | None] = mapped_column(String(128), unique=True, nullable=True)
    badge: Mapped[str | None] = mapped_column(String(80), unique=True, nullable=True)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
