"""The Starshipit client against the fake: headers, 429 backoff, timeouts, safe retries, clear errors."""

from __future__ import annotations

import base64

import anyio
import pytest

from app.starshipit.client import StarshipitClient, StarshipitRejectedError, StarshipitUnavailableError
from app.starshipit.fake import FakeStarshipit, serve_asgi

pytestmark = pytest.mark.anyio

ORDER = {"order_id": "501", "order_number": "501", "items": [{"item_id": "1", "sku": "SKU-A", "quantity": 2}]}


@pytest.fixture
async def fake_url():
    fake = FakeStarshipit()
    fake.add_account("acme", "key-a", "sub-a", requests_per_second=20)
    fake.add_account("beta", "key-b", "sub-b", requests_per_second=2)
    fake.add_order("key-a", ORDER)
    async with serve_asgi(fake.app, lifespan="off") as url:
        yield fake, url


def _client(url: str, api_key: str = "key-a", subscription_key: str = "sub-a", **kwargs) -> StarshipitClient:
    return StarshipitClient(base_url=url, api_key=api_key, subscription_key=subscription_key, **kwargs)


async def test_client_creates_shipment(fake_url) -> None:
    fake, url = fake_url
    async with _client(url, requests_per_second=20) as client:
        reply = await client.create_shipment({"order_id": 501, "items": [{"sku": "SKU-A", "quantity": 1}]})
        shipped = await client.list_shipped()
        unshipped = await client.list_unshipped()
    assert reply["tracking_numbers"] == ["FAKE00000001"]
    assert base64.b64decode(reply["labels"][0]).startswith(b"%PDF")
    assert [(entry["order_id"], entry["items"][0]["quantity_to_ship"]) for entry in shipped] == [("501", 1)]
    assert [order["order_id"] for order in unshipped] == ["501"]


async def test_client_wrong_keys(fake_url) -> None:
    _fake, url = fake_url
    async with _client(url, subscription_key="wrong") as client:
        with pytest.raises(StarshipitRejectedError) as caught:
            await client.list_shipped()
    assert "Invalid API key" in caught.value.message


async def test_client_429_backs_off(fake_url) -> None:
    fake, url = fake_url
    fake.inject_fault(count=2, status=429, path="/api/orders/shipped")
    async with _client(url, requests_per_second=20) as client:
        orders = await client.list_shipped()
    assert orders == []
    assert [status for _method, path, status in fake.requests if path == "/api/orders/shipped"] == [429, 429, 200]


async def test_client_429_on_shipment_retried(fake_url) -> None:
    """A 429 means Starshipit did not process the request, so even a shipment is resent."""
    fake, url = fake_url
    fake.inject_fault(count=1, status=429, path="/api/orders/shipment")
    async with _client(url, requests_per_second=20) as client:
        reply = await client.create_shipment({"order_id": 501})
    assert reply["success"] is True
    assert len(fake.accounts["key-a"].shipments) == 1


async def test_client_429_gives_up(fake_url) -> None:
    fake, url = fake_url
    fake.inject_fault(count=5, status=429, path="/api/orders/shipped")
    async with _client(url, requests_per_second=20, max_retries=2) as client:
        with pytest.raises(StarshipitUnavailableError) as caught:
            await client.list_shipped()
    assert "429" in caught.value.message


async def test_client_paces_rate_limit(fake_url) -> None:
    """Five concurrent reads at the account's limit of 2/s all complete."""
    fake, url = fake_url
    results: list = []
    async with _client(url, api_key="key-b", subscription_key="sub-b", requests_per_second=2) as client:

        async def read() -> None:
            results.append(await client.list_unshipped())

        async with anyio.create_task_group() as group:
            for _ in range(5):
                group.start_soon(read)
    assert len(results) == 5
    assert [status for _method, _path, status in fake.requests].count(200) == 5


async def test_client_recovers_from_server_429(fake_url) -> None:
    """A client configured above the account's real limit meets 429s and still completes every read."""
    fake, url = fake_url
    async with _client(url, api_key="key-b", subscription_key="sub-b", requests_per_second=50) as client:
        results = []
        async with anyio.create_task_group() as group:
            for _ in range(4):

                async def read() -> None:
                    results.append(await client.list_unshipped())

                group.start_soon(read)
    statuses = [status for _method, _path, status in fake.requests]
    assert len(results) == 4
    assert statuses.count(200) == 4
    assert 429 in statuses


async def test_client_timeout_read_retried(fake_url) -> None:
    fake, url = fake_url
    fake.inject_fault(count=1, delay_seconds=1.0, path="/api/orders/shipped")
    async with _client(url, requests_per_second=20, timeout_seconds=0.3) as client:
        orders = await client.list_shipped()
    assert orders == []


async def test_client_timeout_shipment_not_retried(fake_url) -> None:
    fake, url = fake_url
    fake.inject_fault(count=1, delay_seconds=1.0, path="/api/orders/shipment")
    async with _client(url, requests_per_second=20, timeout_seconds=0.3) as client:
        with pytest.raises(StarshipitUnavailableError) as caught:
            await client.create_shipment({"order_id": 501})
    assert "check in Starshipit whether the shipment was created" in caught.value.message
    shipment_requests = [path for _method, path, _status in fake.requests if path == "/api/orders/shipment"]
    assert len(shipment_requests) <= 1


async def test_client_5xx_shipment_not_retried(fake_url) -> None:
    fake, url = fake_url
    fake.inject_fault(count=1, status=503, path="/api/orders/shipment")
    async with _client(url, requests_per_second=20) as client:
        with pytest.raises(StarshipitUnavailableError) as caught:
            await client.create_shipment({"order_id": 501})
    assert "HTTP 503" in caught.value.message
    assert fake.accounts["key-a"].shipments == []


async def test_client_accounts_isolated(fake_url) -> None:
    fake, url = fake_url
    async with _client(url, api_key="key-b", subscription_key="sub-b", requests_per_second=2) as client:
        with pytest.raises(StarshipitRejectedError) as caught:
            await client.create_shipment({"order_id": 501})
        assert await client.list_unshipped() == []
    assert "Order 501 not found" in caught.value.message
    assert fake.accounts["key-a"].shipments == []
