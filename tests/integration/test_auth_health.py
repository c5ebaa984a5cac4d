from __future__ import annotations

import pytest

from tests.factories import Seed

pytestmark = pytest.mark.anyio


async def test_health_ok_on_migrated_database(app_client) -> None:
    response = await app_client.get("/health")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


async def test_login_with_password_returns_token(app_client, seed: Seed) -> None:
    response = await app_client.post("/api/v1/auth/login", json={"username": "super", "password": seed.password})
    assert response.status_code == 200
    body = response.json()
    assert body["user"]["role"] == "supervisor"
    me = await app_client.get("/api/v1/auth/me", headers={"Authorization": f"Bearer {body['token']}"})
    assert me.status_code == 200
    assert me.json()["username"] == "super"


async def test_login_with_pin(app_client, seed: Seed) -> None:
    response = await app_client.post("/api/v1/auth/login", json={"pin": seed.operator_pin})
    assert response.status_code == 200
    assert response.json()["user"]["username"] == "op1"


async def test_api_requires_token(app_client) -> None:
    response = await app_client.get("/api/v1/users")
    assert response.status_code == 401
    assert "Bearer" in response.json()["message"]


async def test_users_admin_only(app_client, operator_headers, admin_headers) -> None:
    assert (await app_client.get("/api/v1/users", headers=operator_headers)).status_code == 403
    response = await app_client.get("/api/v1/users", headers=admin_headers)
    assert response.status_code == 200
    assert {user["username"] for user in response.json()} == {"admin", "super", "op1"}


async def test_bad_pins_are_rate_limited(app_client) -> None:
    statuses = [(await app_client.post("/api/v1/auth/login", json={"pin": "0000"})).status_code for _ in range(6)]
    assert statuses[:5] == [401] * 5
    assert statuses[5] == 429


async def test_login_rejects_unknown_field(app_client) -> None:
    response = await app_client.post("/api/v1/auth/login", json={"pin": "1234", "colour": "red"})
    assert response.status_code == 400
    assert "colour" in response.json()["message"]
