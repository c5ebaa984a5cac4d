"""``wms demo``: migrate, build the demo warehouse once, print URLs and credentials, then serve.

Unless run with ``--no-fake-starshipit``, the same process also serves the fake Starshipit on loopback
(a second uvicorn server in the same event loop), stores the fake's keys on the ``demo`` account
and points the WMS's Starshipit client at it, so full WMS outbound works without the real service.
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import os
import shlex
import socket
import sys
from collections.abc import Iterator
from typing import Any

import click

from app.cli.common import EXIT_CONFIG, describe_database, fail, load_settings_or_exit, run_server, upgrade_or_exit, with_database
from app.config import Settings

__all__ = ["demo"]

OUTBOUND_MODES = ("headless", "full", "hybrid")


def _public_host(host: str) -> str:
    # A wildcard bind is reachable on loopback; print an address a browser can open.
    return "127.0.0.1" if host in ("0.0.0.0", "::", "") else host


def _serve_with_fake(settings: Settings, host: str, port: int, fake_app: Any, fake_socket: socket.socket) -> None:
    """Serve the WMS and, in the same event loop, the fake Starshipit on ``fake_socket``, until interrupted.

    The WMS's server handles the signals. The fake starts once the WMS has started and stops before
    the WMS shuts down, so the fake posts no order_shipped to a server that is going away.
    """
    import uvicorn
    from uvicorn.config import STARTUP_FAILURE

    from app.asgi import create_app

    class FakeServer(uvicorn.Server):
        # Signals belong to the WMS's server, which stops this one.
        @contextlib.contextmanager
        def capture_signals(self) -> Iterator[None]:
            yield

    class WmsServer(uvicorn.Server):
        async def main_loop(self) -> None:
            fake_server = FakeServer(uvicorn.Config(fake_app, lifespan="off", log_config=None, access_log=False))
            fake_task = asyncio.create_task(fake_server.serve(sockets=[fake_socket]))
            bound_host, bound_port = fake_socket.getsockname()[:2]
            click.echo(f"fake Starshipit running on http://{bound_host}:{bound_port}", err=True)
            try:
                await super().main_loop()
            finally:
                fake_server.should_exit = True
                await fake_task

    config = uvicorn.Config(create_app(settings), host=host, port=port, log_level=settings.log_level.lower(), lifespan="on")
    server = WmsServer(config)
    try:
        server.run()
    except KeyboardInterrupt:
        # Ctrl+C after a graceful stop, as uvicorn.run handles it.
        pass
    finally:
        fake_socket.close()
    if not server.started:
        # The WMS did not start (port in use, failed start-up), and uvicorn has logged the reason.
        sys.exit(STARTUP_FAILURE)


def _verify_command(settings: Settings) -> str:
    # An SQLite URL contains no password, so the exact command can include it.
    if settings.is_sqlite:
        return f"WMS_DATABASE_URL={shlex.quote(settings.database_url)} wms verify"
    return "wms verify   (with the same WMS_DATABASE_URL)"


@click.command()
@click.option("--port", type=int, default=8000, show_default=True, help="TCP port to serve on.")
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to bind.")
@click.option("--no-serve", is_flag=True, help="Build the demo and print the credentials, then exit without serving.")
@click.option(
    "--outbound",
    type=click.Choice(OUTBOUND_MODES),
    default=None,
    help="Outbound mode of the demo warehouse: headless (Starshipit picks and ships), full (the WMS picks and packs) "
    "or hybrid (a routing rule decides). Default: headless on the first run, then whatever the warehouse has.",
)
@click.option(
    "--fake-starshipit-port",
    type=int,
    default=None,
    help="Port of the fake Starshipit on 127.0.0.1 (default: --port + 1).",
)
@click.option(
    "--no-fake-starshipit",
    is_flag=True,
    help="Do not serve the fake Starshipit; the WMS calls WMS_STARSHIPIT_BASE_URL with the account's own keys.",
)
def demo(port: int, host: str, no_serve: bool, outbound: str | None, fake_starshipit_port: int | None, no_fake_starshipit: bool) -> None:
    """Run the server with a demo warehouse (account code 'demo') in WMS_DATABASE_URL.

    The first run builds about 20 locations, 50 products with stock, a Starshipit account and two
    users; later runs reuse them. WMS_DEMO_WEBHOOK_SECRET and WMS_DEMO_PASSWORD set the webhook
    secret and the supervisor's password; otherwise they are generated and kept in a file beside
    the database. The fake Starshipit is served beside the WMS on 127.0.0.1, on --port + 1 unless
    --fake-starshipit-port sets another port. The fake prints labels for packed parcels and posts
    order_shipped back to the demo, signed with the demo's webhook secret.
    """
    from app.demo.builder import (
        DEMO_RULE_NAME,
        OPERATOR_USERNAME,
        SUPERVISOR_USERNAME,
        DemoSecrets,
        build_demo,
        demo_exists,
        demo_outbound_mode,
        demo_webhook_secret,
        set_demo_outbound,
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
        summary = None
        if not await demo_exists(database):
            summary = await build_demo(database, secrets, settings.secret_key)
        else:
            # The data exists: make the stored secrets match what is printed below, in case the
            # environment or the credentials file changed since the build.
            await sync_demo_secrets(database, secrets, settings.secret_key)
        if outbound is not None:
            await set_demo_outbound(database, outbound)
        return summary, await demo_outbound_mode(database)

    summary, mode = with_database(settings, _prepare)
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
    fake_port = port + 1 if fake_starshipit_port is None else fake_starshipit_port
    fake_app = fake_socket = None
    if not no_fake_starshipit and not no_serve:
        from app.starshipit.cli import wire_fake
        from app.starshipit.fake import listening_socket

        # Bound before the banner, so a port in use stops the demo with a message, not a trace.
        try:
            fake_socket = listening_socket("127.0.0.1", fake_port)
        except OSError as exc:
            if fake_starshipit_port is not None:
                fail(
                    f"cannot serve the fake Starshipit on 127.0.0.1:{fake_port}: {exc.strerror or exc}; "
                    "choose another --fake-starshipit-port or pass --no-fake-starshipit",
                    EXIT_CONFIG,
                )
            # The default port is only a convenience: take any free one and print it.
            fake_socket = listening_socket("127.0.0.1", 0)
            click.echo(f"port {fake_port} is in use ({exc.strerror or exc}): the fake Starshipit takes port {fake_socket.getsockname()[1]}")
            fake_port = fake_socket.getsockname()[1]
        fake_app = wire_fake(settings, "demo", base).app
        settings = dataclasses.replace(settings, starshipit_base_url=f"http://127.0.0.1:{fake_port}")
    fake_url = f"http://127.0.0.1:{fake_port}"

    if no_fake_starshipit:
        starshipit_line = f"  Starshipit API  {settings.starshipit_base_url} (no fake: the account's own keys are used)"
    elif no_serve:
        starshipit_line = f"  fake Starshipit {fake_url} (served with the WMS when the demo serves)"
    else:
        starshipit_line = f"  fake Starshipit {fake_url} (keys on account 'demo'; labels are fake; order_shipped comes back here)"
    mode_text = {
        "headless": "headless: Starshipit picks and ships, the WMS books stock out on order_shipped",
        "full": "full: the WMS releases, picks and packs, then asks Starshipit for the label",
        "hybrid": f"hybrid: rule '{DEMO_RULE_NAME}' sends orders with any SOCK-MER-* to the WMS, the rest stay headless",
    }[mode]
    login = (
        f"TOKEN=$(curl -s -X POST {base}/api/v1/auth/login -H 'Content-Type: application/json' "
        f"-d '{{\"username\": \"{SUPERVISOR_USERNAME}\", \"password\": \"{credentials.supervisor_password}\"}}' "
        "| python3 -c 'import json, sys; print(json.load(sys.stdin)[\"token\"])')"
    )
    simulate = (
        f"wms simulate --url {base} --account demo --secret {credentials.webhook_secret} "
        f"--username {SUPERVISOR_USERNAME} --password {credentials.supervisor_password}"
    )
    lines = [
        "",
        f"WMS demo at {base}",
        f"  order board     {base}/board",
        f"  handheld app    {base}/app",
        f"  API docs        {base}/schema",
        f"  health          {base}/health",
        f"  outbound        {mode_text}",
        starshipit_line,
        "  Starshipit webhooks (account code 'demo', header X-Starshipit-Signature):",
        f"    orders        {base}/webhooks/starshipit/demo/orders",
        f"    tracking      {base}/webhooks/starshipit/demo/tracking",
        f"    secret        {credentials.webhook_secret}",
        f"  supervisor      username {SUPERVISOR_USERNAME}, password {credentials.supervisor_password}",
        f"  operator        username {OPERATOR_USERNAME}, PIN {credentials.operator_pin}",
        "",
        "Send orders from another terminal:",
        f"  {simulate} --orders 20 --rate 2",
        "",
        "Full WMS outbound"
        + {
            "full": ":",
            "hybrid": " (hybrid: only orders with a SOCK-MER-* item take it; wms demo --outbound full sends every order):",
            "headless": " (this warehouse is headless: run wms demo --outbound full first):",
        }[mode],
        "  1. send orders that Starshipit leaves for the WMS to ship:",
        f"     {simulate} --orders 3 --rate 1 --no-ship",
        "  2. sign in as the supervisor, list the PENDING orders and release one (ORDER_ID is its id):",
        f"     {login}",
        f"     curl -s -H \"Authorization: Bearer $TOKEN\" '{base}/api/v1/orders?account=demo&status=PENDING'",
        f"     curl -s -X POST -H \"Authorization: Bearer $TOKEN\" {base}/api/v1/outbound/orders/ORDER_ID/release",
        f"  3. on the handheld app at {base}/app, sign in with the operator's PIN, Pick the job into a tote,",
        f"     then Pack the tote and ship it: {'Starshipit' if no_fake_starshipit else 'the fake Starshipit'} returns the label and posts order_shipped,",
        "     and the order turns SHIPPED on the board",
        "  4. check the ledger and the reconciliation with Starshipit (an empty report has \"empty\": true):",
        f"     {_verify_command(settings)}",
        f"     curl -s -H \"Authorization: Bearer $TOKEN\" '{base}/api/v1/reconciliation?account=demo'",
        "",
    ]
    click.echo("\n".join(lines))
    if no_serve:
        return
    if fake_app is None or fake_socket is None:
        run_server(settings, host, port)
    else:
        _serve_with_fake(settings, host, port, fake_app, fake_socket)
