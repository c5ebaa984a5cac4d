"""WMS outbound: routing, release and allocation, picking, packing, Starshipit shipments, reconciliation."""

from app.domain.outbound.routing import route_order

__all__ = ["route_order"]
