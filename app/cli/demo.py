"""``wms demo``: migrate, build the demo warehouse once, print URLs and credentials, then serve."""

from __future__ import annotations

import dataclasses
import os

import click

from app.cli.common import describe_database, load_settings_or_exit, run_server, upgrade_or_exit, with_database

__all__ = ["demo"]


def _public_host(host: str) -> str:
    # A wildcard bind is reachable on loopback; print an address a browser can open.
    return "127.0.0.1" if host in ("0.0.0.0", "::", "") else host


@click.command()
@click.option("--port", type=int, default=8000, show_default=True, help="TCP port to serve on.")
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to bind.")
@click.option("--no-serve", is_flag=True, help="Build the demo and print the credentials, then exit without serving.")
def demo(port: int, host: str, no_serve: bool) -> None:
    """Run the server with a demo warehouse (account code 'demo') in WMS_DATABASE_URL.

    The first run builds about 20 locations, 50 products with stock, a Starshipit account and two
    users; later runs reuse them. WMS_DEMO_WEBHOOK_SECRET and WMS_DEMO_PASSWORD set the webhook
    secret and the supervisor's password; otherwise they are generated and kept in a file beside
    the database.
    """
    from app.demo.builder import (
        OPERATOR_USERNAME,
        SUPERVISOR_USERNAME,
        DemoSecrets,
        build_demo,
        demo_exists,
        demo_webhook_secret,
        sync_demo_secrets,
    )
    from app.demo.credentials import credentials_path, load_or_create_credentials, save_credentials

    settings = load_settings_or_exit()
    upgrade_or_exit(settings)
    credentials, file_existed = load_or_create_credentials(settings)
    settings = dataclasses.replace(settings, secret_key=credentials.secret_key, secret_key_generated=False)
    if not file_existed and not os.environ.get("WMS_DEMO_WEBHOOK_SECRET"):
        # The credentials file is new but the demo may exist already: keep the account's webhook
        # secret, which Starshipit or a running simulator may be using, instead of a new one.
        existing = with_database(settings, demo_webhook_secret)
        if existing:
            credentials = dataclasses.replace(credentials, webhook_secret=existing)
            save_credentials(settings, credentials)
    secrets = DemoSecrets(credentials.webhook_secret, credentials.supervisor_password, credentials.operator_pin)

    async def _prepare(database):  # type: ignore[no-untyped-def]
        if not await demo_exists(database):
            return await build_demo(database, secrets, settings.secret_key)
        # The data exists: make the stored secrets match what is printed below, in case the
        # environment or the credentials file changed since the build.
        await sync_demo_secrets(database, secrets, settings.secret_key)
        return None

    summary = with_database(settings, _prepare)
    if summary is not None:
        click.echo(
            f"built the demo warehouse in {describe_database(settings)}: {summary.locations} locations, "
            f"{summary.products} products, {summary.barcodes} barcodes, {summary.movements} stock receipts"
        )
    else:
        click.echo(f"reusing the demo warehouse in {describe_database(settings)}")
    if not file_existed:
        click.echo(f"generated credentials saved to {credentials_path(settings)}")

    base = f"http://{_public_host(host)}:{port}"
    lines = [
        "",
        f"WMS demo at {base}",
        f"  order board     {base}/board",
        f"  handheld app    {base}/app",
        f"  API docs        {base}/schema",
        f"  health          {base}/health",
        "  Starshipit webhooks (account code 'demo', header X-Starshipit-Signature):",
        f"    orders        {base}/webhooks/starshipit/demo/orders",
        f"    tracking      {base}/webhooks/starshipit/demo/tracking",
        f"    secret        {credentials.webhook_secret}",
        f"  supervisor      username {SUPERVISOR_USERNAME}, password {credentials.supervisor_password}",
        f"  operator        username {OPERATOR_USERNAME}, PIN {credentials.operator_pin}",
        "",
        "Send orders from another terminal:",
        f"  wms simulate --url {base} --account demo --secret {credentials.webhook_secret} "
        f"--username {SUPERVISOR_USERNAME} --password {credentials.supervisor_password} --orders 20 --rate 2",
        "",
    ]
    click.echo("\n".join(lines))
    if no_serve:
        return
    run_server(settings, host, port)
