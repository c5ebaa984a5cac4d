"""All ORM models; importing this package registers every table on ``metadata``."""

from app.db.models._base import (
    JobStatus,
    JobType,
    LocationType,
    MovementReason,
    OrderStatus,
    OutboundMode,
    Role,
    metadata,
)
from app.db.models.accounts import Account, User
from app.db.models.allocations import Allocation, AllocationStatus
from app.db.models.catalog import Batch, Location, Product, ProductBarcode, Warehouse
from app.db.models.jobs import Job, JobLine
from app.db.models.orders import Order, OrderLine, OrderStatusEvent, Shipment
from app.db.models.stock import NO_BATCH, Discrepancy, StockBalance, StockMovement
from app.db.models.sync import AttentionState, CommandOrigin, CommandStatus, Device, ScanCommand
from app.db.models.webhooks import WebhookEvent, WebhookOutcome

__all__ = [
    "NO_BATCH",
    "Account",
    "Allocation",
    "AllocationStatus",
    "AttentionState",
    "Batch",
    "CommandOrigin",
    "CommandStatus",
    "Device",
    "Discrepancy",
    "Job",
    "JobLine",
    "JobStatus",
    "JobType",
    "Location",
    "LocationType",
    "MovementReason",
    "Order",
    "OrderLine",
    "OrderStatus",
    "OrderStatusEvent",
    "OutboundMode",
    "Product",
    "ProductBarcode",
    "Role",
    "ScanCommand",
    "Shipment",
    "StockBalance",
    "StockMovement",
    "User",
    "Warehouse",
    "WebhookEvent",
    "WebhookOutcome",
    "metadata",
]
