"""``wms simulate``: stand in for Starshipit and post a signed stream of webhook deliveries.

It sends only to the ``--url`` it is given and stops after the stream or ``--max-seconds``. Like a
webhook sender, it retries a delivery after a connection error, a 5xx or a 429, up to ``RETRIES``
times with a doubling pause. A 4xx other than 429 is final and counts as a failure.
"""

from __future__ import annotations

import sys
import time
import zlib
from urllib.parse import urlsplit

import click
import httpx

from app.demo.stream import Delivery, StreamOptions, build_deliveries, build_timeline
from app.domain.webhooks.signing import SIGNATURE_HEADER, sign_body

__all__ = ["fetch_skus", "send_delivery", "simulate"]

RETRIES = 3
MAX_ORDERS = 100_000
MAX_PRODUCT_PAGES = 200


def fetch_skus(client: httpx.Client, base_url: str, username: str, password: str) -> list[str]:
    """Sign in and return the SKUs of the server's active products."""
    response = client.post(f"{base_url}/api/v1/auth/login", json={"username": username, "password": password})
    if response.status_code != 200:
        raise click.ClickException(f"sign-in as {username!r} failed with HTTP {response.status_code}: {response.text[:200]}")
    headers = {"Authorization": f"Bearer {response.json()['token']}"}
    skus: list[str] = []
    offset = 0
    # Page until an empty page (the server may cap the page size below the limit asked for).
    for _ in range(MAX_PRODUCT_PAGES):
        response = client.get(f"{base_url}/api/v1/products", headers=headers, params={"limit": 500, "offset": offset})
        if response.status_code != 200:
            raise click.ClickException(f"GET /api/v1/products failed with HTTP {response.status_code}: {response.text[:200]}")
        body = response.json()
        rows = body if isinstance(body, list) else body.get("items") or []
        if not rows:
            break
        skus += [str(row["sku"]) for row in rows if row.get("active", True)]
        offset += len(rows)
    return sorted(set(skus))


def send_delivery(client: httpx.Client, url: str, secret: str, delivery: Delivery) -> tuple[int | None, str]:
    """POST one signed delivery with retries; return the final HTTP status (None if unreachable) and a note."""
    headers = {"Content-Type": "application/json", SIGNATURE_HEADER: sign_body(secret, delivery.body)}
    pause = 0.2
    note = ""
    for attempt in range(RETRIES + 1):
        try:
            response = client.post(url, content=delivery.body, headers=headers)
        except httpx.TransportError as exc:
            status, note = None, f"{type(exc).__name__}: {exc}"
        else:
            status = response.status_code
            note = "" if status < 300 else response.text[:200].replace("\n", " ")
            if status < 500 and status != 429:
                return status, note
        if attempt < RETRIES:
            time.sleep(pause)
            pause *= 2
    return status, note


@click.command()
@click.option("--url", required=True, help="Base URL of the WMS server, e.g. http://127.0.0.1:8000.")
@click.option("--account", default="demo", show_default=True, help="Account code in the webhook URLs.")
@click.option("--secret", required=True, help="The account's webhook secret, used to sign every body.")
@click.option("--orders", type=click.IntRange(0, MAX_ORDERS), default=10, show_default=True, help="Number of orders to create.")
@click.option("--rate", type=click.FloatRange(min=0), default=5.0, show_default=True, help="Deliveries per second; 0 sends each one as soon as the previous response arrives.")
@click.option("--duplicates", type=click.FloatRange(0, 1), default=0.0, show_default=True, help="Probability that a delivery is sent twice.")
@click.option("--reorder", type=click.FloatRange(0, 1), default=0.0, show_default=True, help="Probability that a delivery is held back behind later ones.")
@click.option("--seed", type=int, default=None, help="Seed of the stream; the same seed sends the same events (default: random).")
@click.option("--ship/--no-ship", default=True, show_default=True, help="Send order_shipped and tracking updates, or leave orders open.")
@click.option("--change", type=click.FloatRange(0, 1), default=0.25, show_default=True, help="Probability that an order gets an order_changed.")
@click.option("--delete", "delete_probability", type=click.FloatRange(0, 1), default=0.1, show_default=True, help="Probability that an order is deleted.")
@click.option("--partial", type=click.FloatRange(0, 1), default=0.15, show_default=True, help="Probability that a shipped order ships in two parts.")
@click.option("--open", "open_probability", type=click.FloatRange(0, 1), default=0.1, show_default=True, help="Probability that an order is left unshipped.")
@click.option("--skus", default=None, help="Comma-separated SKUs to order, instead of reading them from the server.")
@click.option("--username", default=None, help="User to sign in as to read the server's products.")
@click.option("--password", default=None, help="That user's password.")
@click.option("--account-id", type=int, default=None, help="account_id sent in the envelope (default: derived from --account).")
@click.option("--max-seconds", type=click.FloatRange(min=1), default=600.0, show_default=True, help="Stop sending after this many seconds.")
@click.option("--quiet", is_flag=True, help="Print only the summary line.")
def simulate(
    url: str,
    account: str,
    secret: str,
    orders: int,
    rate: float,
    duplicates: float,
    reorder: float,
    seed: int | None,
    ship: bool,
    change: float,
    delete_probability: float,
    partial: float,
    open_probability: float,
    skus: str | None,
    username: str | None,
    password: str | None,
    account_id: int | None,
    max_seconds: float,
    quiet: bool,
) -> None:
    """Send a signed stream of Starshipit order events and tracking updates to a running WMS.

    Each delivery prints one line: event, order number, event id (tracking number for tracking
    updates), HTTP status, and 'dup' or 'late' when it is a repeat or was held back.
    """
    base_url = url.rstrip("/")
    if urlsplit(base_url).scheme not in ("http", "https") or not urlsplit(base_url).netloc:
        raise click.BadParameter(f"{url!r} is not an http:// or https:// URL", param_hint="--url")
    if seed is None:
        seed = int.from_bytes(__import__("os").urandom(4), "big")

    with httpx.Client(timeout=30.0) as client:
        if skus:
            sku_list = [sku.strip() for sku in skus.split(",") if sku.strip()]
        elif username and password:
            sku_list = fetch_skus(client, base_url, username, password)
        else:
            raise click.UsageError("give --skus, or --username and --password to read the server's products")
        if not sku_list:
            raise click.ClickException("no SKUs to order: the server lists no active products")

        options = StreamOptions(
            orders=orders,
            skus=tuple(sku_list),
            seed=seed,
            account_id=account_id if account_id is not None else zlib.crc32(account.encode()) % 1_000_000,
            change_probability=change,
            delete_probability=delete_probability,
            partial_probability=partial,
            open_probability=open_probability,
            ship=ship,
        )
        deliveries = build_deliveries(build_timeline(options), seed=seed, duplicates=duplicates, reorder=reorder)
        click.echo(f"seed {seed}: {len(deliveries)} deliveries for {orders} orders to {base_url} (account {account})")

        failures = 0
        started = time.monotonic()
        sent = 0
        for index, delivery in enumerate(deliveries):
            if time.monotonic() - started > max_seconds:
                click.echo(f"stopped after {max_seconds:g} s (--max-seconds) with {len(deliveries) - index} deliveries unsent", err=True)
                failures += len(deliveries) - index
                break
            if rate > 0:
                # Pace against the start time, so slow responses do not lower the average rate.
                delay = started + index / rate - time.monotonic()
                if delay > 0:
                    time.sleep(delay)
            target = f"{base_url}/webhooks/starshipit/{account}/{delivery.kind}"
            status, note = send_delivery(client, target, secret, delivery)
            sent += 1
            ok = status is not None and 200 <= status < 300
            failures += 0 if ok else 1
            if not quiet or not ok:
                flags = " ".join(flag for flag, on in (("dup", delivery.duplicate), ("late", delivery.late)) if on)
                line = f"{delivery.event:<26} {delivery.order_number:<8} {delivery.event_id:<36} {status if status is not None else 'unreachable'}"
                line += f" {flags}" if flags else ""
                line += f" {note}" if note else ""
                click.echo(line.rstrip())

    elapsed = time.monotonic() - started
    duplicates_sent = sum(1 for delivery in deliveries[:sent] if delivery.duplicate)
    late_sent = sum(1 for delivery in deliveries[:sent] if delivery.late)
    click.echo(
        f"sent {sent} deliveries ({duplicates_sent} duplicates, {late_sent} late) in {elapsed:.1f} s: "
        f"{sent - min(failures, sent)} accepted, {failures} failed"
    )
    if failures:
        sys.exit(1)
