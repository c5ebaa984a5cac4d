"""``wms fake-starshipit``: run the fake Starshipit on loopback for the demo, wired to one account."""

from __future__ import annotations

import click

__all__ = ["fake_starshipit"]


@click.command("fake-starshipit")
@click.option("--port", type=int, default=8900, show_default=True, help="TCP port on 127.0.0.1.")
@click.option("--account", default="demo", show_default=True, help="Account code in WMS_DATABASE_URL to wire up.")
@click.option("--wms-url", default="http://127.0.0.1:8000", show_default=True, help="Base URL of the WMS that receives order_shipped.")
@click.option("--api-key", default="fake-api-key", show_default=True, help="StarShipIT-Api-Key the fake accepts.")
@click.option("--subscription-key", default="fake-subscription-key", show_default=True, help="Ocp-Apim-Subscription-Key the fake accepts.")
@click.option("--requests-per-second", type=int, default=20, show_default=True, help="Rate limit of the account before 429.")
def fake_starshipit(port: int, account: str, wms_url: str, api_key: str, subscription_key: str, requests_per_second: int) -> None:
    """Serve the fake Starshipit and store its keys on the account, so the WMS ships through it.

    Start the WMS with WMS_STARSHIPIT_BASE_URL=http://127.0.0.1:PORT so its client calls the fake.
    The fake signs order_shipped with the account's webhook secret read from the database.
    """
    import uvicorn
    from sqlalchemy import select

    from app.cli.common import load_settings_or_exit, run_async
    from app.db import Database
    from app.db.models import Account
    from app.starshipit.fake import FakeStarshipit

    settings = load_settings_or_exit()

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

    secret, rate = run_async(wire)
    fake = FakeStarshipit()
    fake.add_account(
        account,
        api_key,
        subscription_key,
        webhook_url=f"{wms_url.rstrip('/')}/webhooks/starshipit/{account}/orders",
        webhook_secret=secret,
        requests_per_second=rate,
    )
    click.echo(f"fake Starshipit for account {account} at http://127.0.0.1:{port}; order_shipped goes to {wms_url}")
    click.echo(f"start the WMS with WMS_STARSHIPIT_BASE_URL=http://127.0.0.1:{port}")
    uvicorn.run(fake.app, host="127.0.0.1", port=port, log_level="info")
