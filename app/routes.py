"""Every route handler of the app, gathered from the domain packages."""

from __future__ import annotations

from typing import Any

__all__ = ["collect_route_handlers"]


def collect_route_handlers() -> list[Any]:
    """Import and return the controllers and handlers of every domain package."""
    from app.domain.auth.controllers import AuthController, UserController
    from app.domain.system.controllers import HealthController
    from app.domain.accounts.controllers import AccountController, WarehouseController
    from app.domain.live.controllers import LiveController
    from app.domain.live.socket import live_socket
    from app.domain.orders.controllers import OrderReadController
    from app.domain.outbound.controllers import OutboundController, PackBenchController, ReconciliationController
    from app.domain.stock.controllers import DiscrepancyController, MovementController, StockController
    from app.domain.system.pages import PageController
    from app.domain.sync.controllers import SyncController
    from app.domain.webhooks.controllers import StarshipitWebhookController, WebhookEventController
    from app.domain.catalog.controllers import LocationController, ProductController, SupplierController, WarehouseSettingsController, ZoneController
    from app.domain.inbound.controllers import PurchaseOrderController, PutawayController, ReceiptController
    from app.domain.jobs.controllers import JobController
    from app.domain.counts.controllers import CycleCountController, StocktakeController
    from app.domain.replenishment.controllers import ReplenishmentController
    from app.domain.handheld.controllers import HandheldController
    from app.domain.barcodes.controllers import BarcodeController, ProductBarcodeController, ScannerSetupController

    handlers: list[Any] = [HealthController, AuthController, UserController]
    handlers += [AccountController, WarehouseController, LiveController, live_socket, OrderReadController]
    handlers += [StockController, MovementController, DiscrepancyController, PageController]
    handlers += [SyncController]
    handlers += [StarshipitWebhookController, WebhookEventController]
    handlers += [LocationController, ProductController, SupplierController, WarehouseSettingsController, ZoneController]
    handlers += [PurchaseOrderController, PutawayController, ReceiptController, JobController]
    handlers += [StocktakeController, CycleCountController, ReplenishmentController]
    handlers += [OutboundController, PackBenchController, ReconciliationController]
    handlers += [HandheldController]
    handlers += [BarcodeController, ProductBarcodeController, ScannerSetupController]
    return handlers
