"""``wms users``: create users from the command line (the first admin, say)."""

from __future__ import annotations

import sys

import click

from app.cli.common import fail, load_settings_or_exit, require_current_schema, with_database
from app.lib.errors import DomainError

__all__ = ["users"]


@click.group()
def users() -> None:
    """User accounts."""


@users.command("create")
@click.option("--username", required=True, help="Sign-in name, unique.")
@click.option("--role", type=click.Choice(["operator", "supervisor", "admin"]), default="operator", show_default=True, help="Role.")
@click.option("--password", default=None, help="Password (8 characters or more); '-' reads it from standard input.")
@click.option("--pin", default=None, help="Operator PIN, 4 to 12 digits.")
@click.option("--badge", default=None, help="Badge barcode the operator scans to sign in.")
@click.option("--display-name", default="", help="Name shown on screens (default: the username).")
def create(username: str, role: str, password: str | None, pin: str | None, badge: str | None, display_name: str) -> None:
    """Create a user in WMS_DATABASE_URL. Supervisors and admins need a password, operators a PIN or badge."""
    from app.domain.auth.schemas import UserCreate
    from app.domain.auth.services import create_user

    if password == "-":
        password = sys.stdin.readline().rstrip("\r\n")
    settings = load_settings_or_exit()
    require_current_schema(settings)
    data = UserCreate(username=username, role=role, display_name=display_name, password=password, pin=pin, badge=badge)

    async def _create(database) -> str:  # type: ignore[no-untyped-def]
        async with database.transaction() as session:
            user = await create_user(session, data, settings.secret_key)
            return str(user.id)

    try:
        user_id = with_database(settings, _create)
    except DomainError as exc:
        fail(f"user not created: {exc.message}")
        return
    click.echo(f"created {role} {username!r} (id {user_id})")
    if pin and settings.secret_key_generated:
        # PINs are looked up through an HMAC under WMS_SECRET_KEY, so a key generated for this
        # process makes the PIN unusable on the server.
        click.echo("warning: WMS_SECRET_KEY is not set, so this PIN will not match on the server: set it and create the user again", err=True)
