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
from app.db.models.catalog import Batch, Location, Product, ProductBarcode, PutawayMode, Supplier, Warehouse, Zone
from app.db.models.counts import CountStatus, Stocktake, StocktakeCount, StocktakeKind, StocktakeScope, StocktakeStatus
from app.db.models.inbound import PurchaseOrder, PurchaseOrderLine, PurchaseOrderStatus, Receipt, SerialNumber
from app.db.models.jobs import Job, JobLine
from app.db.models.orders import Order, OrderLine, OrderStatusEvent, Shipment
from app.db.models.outbound import (
    OrderRouting,
    OutboundSettings,
    OutboundTimer,
    PackSession,
    PackSessionStatus,
    PickTote,
    ReconciliationRun,
    RoutingFlow,
    RoutingRule,
    RuleKind,
)
from app.db.models.stock import NO_BATCH, Discrepancy, StockBalance, StockMovement
from app.db.models.sync import AttentionState, CommandOrigin, CommandStatus, Device, ScanCommand
from app.db.models.webhooks import WebhookEvent, WebhookOutcome

__all__ = [
    "CountStatus",
    "PurchaseOrder",
    "PurchaseOrderLine",
    "PurchaseOrderStatus",
    "PutawayMode",
    "Receipt",
    "SerialNumber",
    "Stocktake",
    "StocktakeCount",
    "StocktakeKind",
    "StocktakeScope",
    "StocktakeStatus",
    "Supplier",
    "Zone",
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
    "OrderRouting",
    "OutboundSettings",
    "OutboundTimer",
    "PackSession",
    "PackSessionStatus",
    "PickTote",
    "ReconciliationRun",
    "RoutingFlow",
    "RoutingRule",
    "RuleKind",
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
