"""``wms fake-starshipit``: run the fake Starshipit on loopback for the demo, wired to one account.

:func:`wire_fake` is shared with ``wms demo``, which serves the same fake in its own process.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import click

if TYPE_CHECKING:
    from app.config import Settings
    from app.starshipit.fake import FakeStarshipit

__all__ = ["DEFAULT_API_KEY", "DEFAULT_REQUESTS_PER_SECOND", "DEFAULT_SUBSCRIPTION_KEY", "fake_starshipit", "wire_fake"]

DEFAULT_API_KEY = "fake-api-key"
DEFAULT_SUBSCRIPTION_KEY = "fake-subscription-key"
DEFAULT_REQUESTS_PER_SECOND = 20


def wire_fake(
    settings: Settings,
    account: str,
    wms_url: str,
    *,
    api_key: str = DEFAULT_API_KEY,
    subscription_key: str = DEFAULT_SUBSCRIPTION_KEY,
    requests_per_second: int = DEFAULT_REQUESTS_PER_SECOND,
) -> FakeStarshipit:
    """Store the fake's keys on ``account`` in the database and return a fake that accepts them.

    The fake signs ``order_shipped`` with the account's webhook secret and posts it to the
    account's order webhook under ``wms_url``. An order it is asked to ship but was never given
    is read from the WMS's copy in the same database, item ids included. Raises :class:`click.ClickException` when the
    account does not exist.
    """
    from sqlalchemy import select

    from app.cli.common import run_async
    from app.db import Database
    from app.db.models import Account, Order, OrderLine
    from app.starshipit.fake import FakeAccount, FakeStarshipit

    async def wire() -> tuple[str, int]:
        database = Database(settings)
        try:
            async with database.transaction() as session:
                row = await session.scalar(select(Account).where(Account.code == account))
                if row is None:
                    raise click.ClickException(f"account {account!r} not found in the database: run wms demo --no-serve first")
                row.api_key = api_key
                row.subscription_key = subscription_key
                row.requests_per_second = requests_per_second
                return row.webhook_secret, row.requests_per_second
        finally:
            await database.dispose()

    async def order_from_wms(fake_account: FakeAccount, order_id: str, _order_number: str) -> dict[str, Any] | None:
        # Starshipit has every order it sent the WMS, so rebuild the order from the WMS's mirror.
        database = Database(settings)
        try:
            async with database.read() as session:
                order = await session.scalar(
                    select(Order).join(Account, Account.id == Order.account_id).where(
                        Account.code == fake_account.code, Order.starshipit_order_id == order_id
                    )
                )
                if order is None:
                    return None
                lines = (
                    await session.scalars(
                        select(OrderLine).where(OrderLine.order_id == order.id, OrderLine.active.is_(True)).order_by(OrderLine.position)
                    )
                ).all()
        finally:
            await database.dispose()
        items = []
        for line in lines:
            item: dict[str, Any] = {"sku": line.sku, "description": line.description, "quantity": line.quantity_ordered}
            if line.item_id:
                item["item_id"] = line.item_id
            items.append(item)
        return {
            "order_id": order.starshipit_order_id,
            "order_number": order.order_number,
            "reference": order.reference,
            "destination": dict(order.destination or {}),
            "items": items,
        }

    secret, rate = run_async(wire)
    fake = FakeStarshipit()
    fake.order_source = order_from_wms
    fake.add_account(
        account,
        api_key,
        subscription_key,
        webhook_url=f"{wms_url.rstrip('/')}/webhooks/starshipit/{account}/orders",
        webhook_secret=secret,
        requests_per_second=rate,
    )
    return fake


@click.command("fake-starshipit")
@click.option("--port", type=int, default=8900, show_default=True, help="TCP port on 127.0.0.1.")
@click.option("--account", default="demo", show_default=True, help="Account code in WMS_DATABASE_URL to wire up.")
@click.option("--wms-url", default="http://127.0.0.1:8000", show_default=True, help="Base URL of the WMS that receives order_shipped.")
@click.option("--api-key", default=DEFAULT_API_KEY, show_default=True, help="StarShipIT-Api-Key the fake accepts.")
@click.option("--subscription-key", default=DEFAULT_SUBSCRIPTION_KEY, show_default=True, help="Ocp-Apim-Subscription-Key the fake accepts.")
@click.option("--requests-per-second", type=int, default=DEFAULT_REQUESTS_PER_SECOND, show_default=True, help="Rate limit of the account before 429.")
def fake_starshipit(port: int, account: str, wms_url: str, api_key: str, subscription_key: str, requests_per_second: int) -> None:
    """Serve the fake Starshipit and store its keys on the account, so the WMS ships through it.

    Start the WMS with WMS_STARSHIPIT_BASE_URL=http://127.0.0.1:PORT so its client calls the fake.
    The fake signs order_shipped with the account's webhook secret read from the database.
    (wms demo starts this fake itself unless given --no-fake-starshipit.)
    """
    import uvicorn

    from app.cli.common import load_settings_or_exit

    settings = load_settings_or_exit()
    fake = wire_fake(
        settings, account, wms_url, api_key=api_key, subscription_key=subscription_key, requests_per_second=requests_per_second
    )
    click.echo(f"fake Starshipit for account {account} at http://127.0.0.1:{port}; order_shipped goes to {wms_url}")
    click.echo(f"start the WMS with WMS_STARSHIPIT_BASE_URL=http://127.0.0.1:{port}")
    uvicorn.run(fake.app, host="127.0.0.1", port=port, log_level="info")
