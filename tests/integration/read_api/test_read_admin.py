"""Account and warehouse administration, discrepancies, and the OpenAPI operation ids."""

from __future__ import annotations

import pytest

from tests.factories import Seed

pytestmark = pytest.mark.anyio

NEW_SECRET = "whsec-0123456789-abcd"


def _account_body(**overrides) -> dict:
    body = {
        "code": "globex",
        "name": "Globex",
        "webhook_secret": NEW_SECRET,
        "default_warehouse": "WH1",
        "api_key": "api-key-value-9876",
        "subscription_key": "sub-key-value-5432",
        "requests_per_second": 20,
    }
    body.update(overrides)
    return body


async def test_accounts_admin_only(app_client, operator_headers, supervisor_headers) -> None:
    assert (await app_client.get("/api/v1/accounts", headers=operator_headers)).status_code == 403
    assert (await app_client.get("/api/v1/accounts", headers=supervisor_headers)).status_code == 403
    assert (await app_client.post("/api/v1/accounts", json=_account_body(), headers=supervisor_headers)).status_code == 403


async def test_accounts_list_masks_secrets(app_client, admin_headers) -> None:
    response = await app_client.get("/api/v1/accounts", headers=admin_headers)

    assert response.status_code == 200
    [account] = response.json()
    assert account["code"] == "acme"
    assert account["webhook_secret_hint"] == "…cret"
    assert account["api_key_hint"] == "…-key"
    assert account["default_warehouse"] == "WH1"
    assert account["orders_webhook_path"] == "/webhooks/starshipit/acme/orders"
    assert "test-secret" not in response.text
    assert "test-api-key" not in response.text


async def test_account_create_and_patch(app_client, admin_headers) -> None:
    created = await app_client.post("/api/v1/accounts", json=_account_body(), headers=admin_headers)

    assert created.status_code == 201
    body = created.json()
    assert body["webhook_secret_hint"] == "…abcd"
    assert body["requests_per_second"] == 20
    assert NEW_SECRET not in created.text
    assert "api-key-value-9876" not in created.text

    patched = await app_client.patch(
        f"/api/v1/accounts/{body['id']}",
        json={"name": "Globex Corp", "parent_account": "acme", "webhook_secret": "another-secret-zz99"},
        headers=admin_headers,
    )

    assert patched.status_code == 200
    assert patched.json()["name"] == "Globex Corp"
    assert patched.json()["parent_account"] == "acme"
    assert patched.json()["webhook_secret_hint"] == "…zz99"


async def test_account_parent_cycle_400(app_client, admin_headers) -> None:
    child = (await app_client.post("/api/v1/accounts", json=_account_body(parent_account="acme"), headers=admin_headers)).json()
    accounts = (await app_client.get("/api/v1/accounts", headers=admin_headers)).json()
    acme = next(account for account in accounts if account["code"] == "acme")

    response = await app_client.patch(f"/api/v1/accounts/{acme['id']}", json={"parent_account": child["code"]}, headers=admin_headers)

    assert response.status_code == 400
    assert "cycle" in response.json()["message"]


async def test_account_code_fixed_after_create(app_client, admin_headers) -> None:
    accounts = (await app_client.get("/api/v1/accounts", headers=admin_headers)).json()

    response = await app_client.patch(f"/api/v1/accounts/{accounts[0]['id']}", json={"code": "renamed"}, headers=admin_headers)

    assert response.status_code == 400
    assert "code" in response.json()["message"]


async def test_account_create_rejects_bad_input(app_client, admin_headers) -> None:
    duplicate = await app_client.post("/api/v1/accounts", json=_account_body(code="acme"), headers=admin_headers)
    short_secret = await app_client.post("/api/v1/accounts", json=_account_body(webhook_secret="short"), headers=admin_headers)
    no_warehouse = await app_client.post("/api/v1/accounts", json=_account_body(default_warehouse="WH9"), headers=admin_headers)

    assert duplicate.status_code == 409
    assert short_secret.status_code == 400
    assert short_secret.json()["detail"]["field"] == "webhook_secret"
    assert no_warehouse.status_code == 404
    assert "WH9" in no_warehouse.json()["message"]


async def test_warehouses_list_and_create(app_client, operator_headers, admin_headers) -> None:
    listed = await app_client.get("/api/v1/warehouses", headers=operator_headers)
    denied = await app_client.post("/api/v1/warehouses", json={"code": "WH2", "name": "Second"}, headers=operator_headers)
    created = await app_client.post(
        "/api/v1/warehouses", json={"code": "WH2", "name": "Second", "outbound_mode": "hybrid"}, headers=admin_headers
    )
    bad_mode = await app_client.post(
        "/api/v1/warehouses", json={"code": "WH3", "name": "Third", "outbound_mode": "drone"}, headers=admin_headers
    )

    assert [warehouse["code"] for warehouse in listed.json()] == ["WH1"]
    assert listed.json()[0]["outbound_mode"] == "headless"
    assert denied.status_code == 403
    assert created.status_code == 201
    assert created.json()["outbound_mode"] == "hybrid"
    assert bad_mode.status_code == 400
    assert bad_mode.json()["detail"]["field"] == "outbound_mode"


async def test_warehouse_mode_patch(app_client, admin_headers, seed: Seed) -> None:
    response = await app_client.patch(f"/api/v1/warehouses/{seed.warehouse_id}", json={"outbound_mode": "full"}, headers=admin_headers)

    assert response.status_code == 200
    assert response.json()["outbound_mode"] == "full"


async def test_discrepancy_resolve_flow(app_client, operator_headers, supervisor_headers) -> None:
    adjustment = {"sku": "SKU-A", "location": "A-01-02", "quantity_change": -3, "reason_code": "lost"}
    adjusted = await app_client.post("/api/v1/stock/adjustments", json=adjustment, headers=operator_headers)
    assert adjusted.status_code == 201
    assert adjusted.json()["on_hand"] == -3

    open_list = (await app_client.get("/api/v1/discrepancies", headers=operator_headers)).json()
    [discrepancy] = open_list["items"]
    assert discrepancy["kind"] == "negative_stock"
    assert discrepancy["location"] == "A-01-02"
    assert discrepancy["quantity"] == -3
    url = f"/api/v1/discrepancies/{discrepancy['id']}/resolve"

    by_operator = await app_client.post(url, json={"note": "counted"}, headers=operator_headers)
    empty_note = await app_client.post(url, json={"note": "  "}, headers=supervisor_headers)
    no_note = await app_client.post(url, json={}, headers=supervisor_headers)
    resolved = await app_client.post(url, json={"note": "counted, 0 found"}, headers=supervisor_headers)
    again = await app_client.post(url, json={"note": "twice"}, headers=supervisor_headers)

    assert by_operator.status_code == 403
    assert empty_note.status_code == 400
    assert no_note.status_code == 400
    assert "note" in no_note.json()["message"]
    assert resolved.status_code == 200
    assert resolved.json()["resolved"] is True
    assert resolved.json()["resolution_note"].startswith("counted, 0 found")
    assert again.status_code == 409
    assert (await app_client.get("/api/v1/discrepancies", headers=operator_headers)).json()["items"] == []
    resolved_list = (await app_client.get("/api/v1/discrepancies", params={"status": "resolved"}, headers=operator_headers)).json()
    assert [item["id"] for item in resolved_list["items"]] == [discrepancy["id"]]


async def test_openapi_operation_ids(app_client) -> None:
    schema = (await app_client.get("/schema/openapi.json")).json()

    operation_ids = {operation["operationId"] for path in schema["paths"].values() for operation in path.values()}

    expected = {
        "GetStock",
        "CreateStockAdjustment",
        "ListMovements",
        "ListOrders",
        "GetOrder",
        "ListDiscrepancies",
        "ResolveDiscrepancy",
        "ListAccounts",
        "CreateAccount",
        "UpdateAccount",
        "ListWarehouses",
        "CreateWarehouse",
        "GetLiveConnections",
    }
    assert expected <= operation_ids
