"""``wms``: serve, migrate, seed a demo, simulate Starshipit, verify the ledger, manage users."""

from __future__ import annotations

import click

from app.cli.common import (
    EXIT_CONFIG,
    describe_database,
    fail,
    load_settings_or_exit,
    require_current_schema,
    run_server,
    upgrade_or_exit,
)
from app.config import ConfigError
from app.lib.errors import SchemaOutdatedError

__all__ = ["cli", "load_settings_or_exit", "main"]


class WmsGroup(click.Group):
    """A command group that turns configuration and schema errors into one line and exit status 2."""

    def invoke(self, ctx: click.Context) -> object:
        try:
            return super().invoke(ctx)
        except ConfigError as exc:
            fail(f"configuration error: {exc}", EXIT_CONFIG)
        except SchemaOutdatedError as exc:
            fail(f"cannot start: {exc}", EXIT_CONFIG)
        return None


@click.group(cls=WmsGroup)
def cli() -> None:
    """Warehouse management beside Starshipit."""


@cli.command()
@click.option("--host", default=None, help="Address to bind (default WMS_HOST, else 127.0.0.1).")
@click.option("--port", type=int, default=None, help="TCP port (default WMS_PORT, else 8000).")
@click.option("--ssl-certfile", type=click.Path(exists=True, dir_okay=False), default=None, help="TLS certificate (PEM).")
@click.option("--ssl-keyfile", type=click.Path(exists=True, dir_okay=False), default=None, help="TLS private key (PEM).")
@click.option("--self-signed", "self_signed", metavar="NAME", default=None,
              help="Serve HTTPS with a self-signed certificate for the LAN name NAME (made once in ./certs, then reused).")
def serve(host: str | None, port: int | None, ssl_certfile: str | None, ssl_keyfile: str | None, self_signed: str | None) -> None:
    """Run the server. It refuses to start on an outdated database schema."""
    settings = load_settings_or_exit()
    require_current_schema(settings)
    if self_signed:
        from pathlib import Path

        from app.domain.handheld.tls import ensure_self_signed

        if ssl_certfile or ssl_keyfile:
            fail("use either --self-signed or --ssl-certfile/--ssl-keyfile, not both", EXIT_CONFIG)
        made = ensure_self_signed(self_signed, Path("certs"))
        ssl_certfile, ssl_keyfile = str(made.certfile), str(made.keyfile)
        click.echo(f"{'created' if made.created else 'using'} {made.certfile} for https://{self_signed}:{port or settings.port}/app "
                   f"(SHA-256 {made.fingerprint_sha256}); install it on each handheld once")
    run_server(settings, host or settings.host, port or settings.port, ssl_certfile, ssl_keyfile)


@cli.group()
def db() -> None:
    """Database schema commands."""


@db.command("upgrade")
@click.option("--revision", default="head", show_default=True, help="Target revision.")
def db_upgrade(revision: str) -> None:
    """Apply every pending migration to WMS_DATABASE_URL."""
    settings = load_settings_or_exit()
    upgrade_or_exit(settings, revision)
    click.echo(f"database at {revision}: {describe_database(settings)}")


def _register_commands() -> None:
    from app.cli.demo import demo
    from app.cli.simulate import simulate
    from app.cli.users import users
    from app.cli.verify import verify
    from app.starshipit.cli import fake_starshipit

    for command in (demo, simulate, users, verify, fake_starshipit):
        cli.add_command(command)


_register_commands()


def main() -> None:
    """Entry point of the ``wms`` console script."""
    cli()


if __name__ == "__main__":
    main()
