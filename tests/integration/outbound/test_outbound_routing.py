"""Outbound routing per warehouse: headless, full and hybrid rules of each kind."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from app.db.models import Account, OrderRouting, RoutingRule, RuleKind
from tests.factories import Seed
from tests.integration.outbound.kit import create_order, load_order, set_mode

pytestmark = pytest.mark.anyio


async def _add_rule(db, seed: Seed, position: int, kind: str, values: list[str], *, match: str = "all", flow: str = "wms") -> None:
    async with db.transaction() as session:
        session.add(RoutingRule(warehouse_id=seed.warehouse_id, position=position, name="", kind=kind, values=values, match=match, flow=flow, active=True))


async def _flow(db, order_id) -> tuple[str, str]:
    async with db.read() as session:
        routing = await session.scalar(select(OrderRouting).where(OrderRouting.order_id == order_id))
    order, _lines = await load_order(db, order_id)
    return routing.flow, order.routed_by


async def test_headless_mode_routes_headless(db, seed: Seed) -> None:
    order_id = await create_order(db, seed, "1001", [("SKU-A", 1)])
    flow, routed_by = await _flow(db, order_id)
    assert flow == "headless"
    assert routed_by == "headless: warehouse WH1 is headless"


async def test_full_mode_routes_wms(db, seed: Seed) -> None:
    await set_mode(db, seed, "full")
    order_id = await create_order(db, seed, "1002", [("SKU-A", 1)])
    flow, routed_by = await _flow(db, order_id)
    assert flow == "wms"
    assert routed_by == "wms: warehouse WH1 runs full WMS outbound"


@pytest.mark.parametrize(
    ("kind", "values", "extra", "miss_extra"),
    [
        (RuleKind.CHANNEL, ["Shopify"], {"platform": "shopify"}, {"platform": "ebay"}),
        (RuleKind.TAG, ["wms"], {"tags": "gift, wms"}, {"tags": ["gift"]}),
        (RuleKind.METADATA, ["fulfil=wms"], {"metadatas": [{"metafield_key": "fulfil", "value": "WMS"}]}, {"metadatas": [{"metafield_key": "fulfil", "value": "3pl"}]}),
    ],
)
async def test_hybrid_rule_by_payload(db, seed: Seed, kind: str, values: list[str], extra: dict, miss_extra: dict) -> None:
    await set_mode(db, seed, "hybrid")
    await _add_rule(db, seed, 1, kind, values)
    hit = await create_order(db, seed, "1101", [("SKU-A", 1)], **extra)
    miss = await create_order(db, seed, "1102", [("SKU-A", 1)], **miss_extra)
    hit_flow, hit_reason = await _flow(db, hit)
    miss_flow, miss_reason = await _flow(db, miss)
    assert hit_flow == "wms"
    assert hit_reason.startswith("wms: rule 1 (")
    assert miss_flow == "headless"
    assert miss_reason == "headless: no hybrid rule matched (warehouse default)"


async def test_hybrid_rule_by_sku_set(db, seed: Seed) -> None:
    await set_mode(db, seed, "hybrid")
    await _add_rule(db, seed, 1, RuleKind.SKU_SET, ["SKU-A", "SKU-B"])
    inside = await create_order(db, seed, "1201", [("SKU-A", 1), ("SKU-B", 2)])
    mixed = await create_order(db, seed, "1202", [("SKU-A", 1), ("SKU-C", 1)])
    assert (await _flow(db, inside))[0] == "wms"
    assert (await _flow(db, mixed))[0] == "headless"


async def test_hybrid_rule_sku_any(db, seed: Seed) -> None:
    await set_mode(db, seed, "hybrid")
    await _add_rule(db, seed, 1, RuleKind.SKU_SET, ["SKU-C"], match="any")
    mixed = await create_order(db, seed, "1203", [("SKU-A", 1), ("SKU-C", 1)])
    assert (await _flow(db, mixed))[0] == "wms"


async def test_hybrid_rule_by_account(db, seed: Seed) -> None:
    await set_mode(db, seed, "hybrid")
    await _add_rule(db, seed, 1, RuleKind.ACCOUNT, ["acme"])
    order_id = await create_order(db, seed, "1301", [("SKU-A", 1)])
    flow, routed_by = await _flow(db, order_id)
    assert flow == "wms"
    assert "account in acme" in routed_by


async def test_hybrid_first_rule_wins(db, seed: Seed) -> None:
    await set_mode(db, seed, "hybrid", hybrid_default_flow="wms")
    await _add_rule(db, seed, 2, RuleKind.CHANNEL, ["shopify"], flow="wms")
    await _add_rule(db, seed, 1, RuleKind.TAG, ["dropship"], flow="headless")
    order_id = await create_order(db, seed, "1401", [("SKU-A", 1)], platform="shopify", tags=["dropship"])
    flow, routed_by = await _flow(db, order_id)
    assert flow == "headless"
    assert routed_by.startswith("headless: rule 1")
    other = await create_order(db, seed, "1402", [("SKU-A", 1)], platform="woo")
    assert await _flow(db, other) == ("wms", "wms: no hybrid rule matched (warehouse default)")


async def test_routing_reads_event_log(app_client, db, seed: Seed) -> None:
    """An order created through the real webhook is routed from the stored raw payload."""
    from tests.unit.orders.kit import signed_headers

    import msgspec

    await set_mode(db, seed, "hybrid")
    await _add_rule(db, seed, 1, RuleKind.CHANNEL, ["shopify"])
    body = msgspec.json.encode(
        {
            "event": "order_created",
            "event_id": "ev-route-1",
            "occurred_at": "2026-12-01T10:00:00Z",
            "order": {"order_id": 5501, "order_number": "5501", "platform": "Shopify", "items": [{"item_id": "1", "sku": "SKU-A", "quantity": 1}]},
        }
    )
    async with db.read() as session:
        secret = (await session.get(Account, seed.account_id)).webhook_secret
    response = await app_client.post("/webhooks/starshipit/acme/orders", content=body, headers=signed_headers(body, secret))
    assert response.status_code == 200, response.text
    order_id = response.json()["order_id"]
    from uuid import UUID

    flow, routed_by = await _flow(db, UUID(order_id))
    assert flow == "wms"
    assert routed_by.startswith("wms: rule 1")


async def test_rules_and_settings_api(app_client, db, seed: Seed, supervisor_headers, operator_headers) -> None:
    denied = await app_client.post("/api/v1/outbound/rules", json={"warehouse": "WH1", "kind": "tag", "values": ["wms"]}, headers=operator_headers)
    assert denied.status_code == 403
    bad = await app_client.post("/api/v1/outbound/rules", json={"warehouse": "WH1", "kind": "colour", "values": ["red"]}, headers=supervisor_headers)
    assert bad.status_code == 400
    assert bad.json()["detail"]["field"] == "kind"
    created = await app_client.post(
        "/api/v1/outbound/rules", json={"warehouse": "WH1", "kind": "channel", "values": ["shopify"], "position": 3, "name": "Shopify orders"}, headers=supervisor_headers
    )
    assert created.status_code == 201, created.text
    listed = await app_client.get("/api/v1/outbound/rules?warehouse=WH1", headers=supervisor_headers)
    assert [(rule["name"], rule["position"]) for rule in listed.json()] == [("Shopify orders", 3)]
    settings = await app_client.put(
        "/api/v1/outbound/settings/WH1", json={"min_shelf_life_days": 7, "require_location_scan": False}, headers=supervisor_headers
    )
    assert settings.status_code == 200, settings.text
    assert settings.json()["min_shelf_life_days"] == 7
    assert settings.json()["require_location_scan"] is False
    assert settings.json()["outbound_mode"] == "headless"
    unknown = await app_client.put("/api/v1/outbound/settings/WH1", json={"colour": 1}, headers=supervisor_headers)
    assert unknown.status_code == 400
    removed = await app_client.delete(f"/api/v1/outbound/rules/{created.json()['id']}", headers=supervisor_headers)
    assert removed.status_code == 204
