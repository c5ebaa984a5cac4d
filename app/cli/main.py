"""``wms``: serve, migrate, seed a demo, simulate Starshipit, verify the ledger, manage users."""

from __future__ import annotations

import sys

import click

from app.config import ConfigError, Settings, load_settings

__all__ = ["cli", "main"]


def load_settings_or_exit() -> Settings:
    """Read the settings, or print the configuration error and exit with status 2."""
    try:
        return load_settings()
    except ConfigError as exc:
        click.echo(f"configuration error: {exc}", err=True)
        sys.exit(2)


@click.group()
def cli() -> None:
    """Warehouse management beside Starshipit."""


@cli.command()
@click.option("--host", default=None, help="Address to bind (default WMS_HOST, else 127.0.0.1).")
@click.option("--port", type=int, default=None, help="TCP port (default WMS_PORT, else 8000).")
@click.option("--ssl-certfile", type=click.Path(exists=True, dir_okay=False), default=None, help="TLS certificate (PEM).")
@click.option("--ssl-keyfile", type=click.Path(exists=True, dir_okay=False), default=None, help="TLS private key (PEM).")
def serve(host: str | None, port: int | None, ssl_certfile: str | None, ssl_keyfile: str | None) -> None:
    """Run the server. It refuses to start on an outdated database schema."""
    import uvicorn

    from app.asgi import create_app

    settings = load_settings_or_exit()
    app = create_app(settings)
    uvicorn.run(
        app,
        host=host or settings.host,
        port=port or settings.port,
        log_level=settings.log_level.lower(),
        ssl_certfile=ssl_certfile,
        ssl_keyfile=ssl_keyfile,
        lifespan="on",
    )


@cli.group()
def db() -> None:
    """Database schema commands."""


@db.command("upgrade")
@click.option("--revision", default="head", show_default=True, help="Target revision.")
def db_upgrade(revision: str) -> None:
    """Apply every pending migration to WMS_DATABASE_URL."""
    from app.db.migrate import upgrade_database

    settings = load_settings_or_exit()
    upgrade_database(settings, revision)
    click.echo(f"database at {revision}: {settings.database_url.split('@')[-1]}")


def main() -> None:
    """Entry point of the ``wms`` console script."""
    cli()


if __name__ == "__main__":
    main()
