"""``wms verify``: check every ledger rule on WMS_DATABASE_URL."""

from __future__ import annotations

import sys
from collections import Counter

import click

from app.cli.common import describe_database, load_settings_or_exit, require_current_schema, with_database

__all__ = ["verify"]


@click.command()
def verify() -> None:
    """Check the stock ledger rules; print one line per violation and exit 1 if there is any."""
    from app.domain.stock.verify import RULES, verify_ledger

    settings = load_settings_or_exit()
    require_current_schema(settings)

    async def _verify(database):  # type: ignore[no-untyped-def]
        async with database.read() as session:
            return await verify_ledger(session)

    violations = with_database(settings, _verify)
    for violation in violations:
        click.echo(str(violation))
    where = describe_database(settings)
    if not violations:
        click.echo(f"ledger OK: {len(RULES)} rules checked on {where}, 0 violations")
        return
    counts = Counter(violation.rule for violation in violations)
    per_rule = ", ".join(f"{rule} {count}" for rule, count in sorted(counts.items()))
    click.echo(f"ledger FAILED: {len(violations)} violations ({per_rule}) on {where}")
    sys.exit(1)
