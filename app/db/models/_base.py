"""Shared column helpers and string enums for the models."""

from __future__ import annotations

from enum import StrEnum

from advanced_alchemy.base import BigIntBase, UUIDv7AuditBase, UUIDv7Base, orm_registry

__all__ = [
    "BigIntBase",
    "JobStatus",
    "JobType",
    "LocationType",
    "MovementReason",
    "OrderStatus",
    "OutboundMode",
    "Role",
    "UUIDv7AuditBase",
    "UUIDv7Base",
    "metadata",
]

metadata = orm_registry.metadata

# Enums are stored as plain strings (VARCHAR) so that SQLite and PostgreSQL share one migration and
# adding a member never needs an ALTER TYPE.


class OutboundMode(StrEnum):
    HEADLESS = "headless"
    FULL = "full"
    HYBRID = "hybrid"


class LocationType(StrEnum):
    PICK_FACE = "PICK_FACE"
    BULK_STORAGE = "BULK_STORAGE"
    STAGING_DOCK = "STAGING_DOCK"
    PACKING_BENCH = "PACKING_BENCH"
    TOTE = "TOTE"
    QUARANTINE = "QUARANTINE"
    RETURNS = "RETURNS"
    SHIPPING_DOCK = "SHIPPING_DOCK"
    CROSS_DOCK = "CROSS_DOCK"
    OVERFLOW = "OVERFLOW"


class MovementReason(StrEnum):
    RECEIPT = "receipt"
    PUTAWAY = "putaway"
    MOVE = "move"
    PICK = "pick"
    PACK = "pack"
    SHIPMENT = "shipment"
    ADJUSTMENT = "adjustment"
    COUNT = "count"
    RETURN = "return"


class OrderStatus(StrEnum):
    PENDING = "PENDING"
    RELEASED = "RELEASED"
    PARTIALLY_SHIPPED = "PARTIALLY_SHIPPED"
    SHIPPED = "SHIPPED"
    CANCELLED = "CANCELLED"

    @property
    def is_open(self) -> bool:
        """True while the order still commits stock."""
        return self in (OrderStatus.PENDING, OrderStatus.RELEASED, OrderStatus.PARTIALLY_SHIPPED)


class JobType(StrEnum):
    PICK = "PICK"
    PACK = "PACK"
    PUTAWAY = "PUTAWAY"
    REPLENISHMENT = "REPLENISHMENT"
    CYCLE_COUNT = "CYCLE_COUNT"
    RETURN_TO_STOCK = "RETURN_TO_STOCK"


class JobStatus(StrEnum):
    PENDING = "PENDING"
    READY = "READY"
    ASSIGNED = "ASSIGNED"
    IN_PROGRESS = "IN_PROGRESS"
    PAUSED = "PAUSED"
    COMPLETED = "COMPLETED"
    FAILED = "FAILED"
    CANCELLED = "CANCELLED"


class Role(StrEnum):
    OPERATOR = "operator"
    SUPERVISOR = "supervisor"
    ADMIN = "admin"

    @property
    def rank(self) -> int:
        """Privilege level used by the role guards: operator < supervisor < admin."""
        return {Role.OPERATOR: 1, Role.SUPERVISOR: 2, Role.ADMIN: 3}[self]
