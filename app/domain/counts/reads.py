"""Wire forms of stocktakes: blind stocktakes hide expected quantities from operators."""

from __future__ import annotations

from uuid import UUID

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from app.db.models import CountStatus, Location, Product, StockBalance, Stocktake, StocktakeCount, StocktakeKind, StocktakeScope
from app.domain.counts.schemas import CountRead, ExpectedLine, PostResult, StocktakeRead
from app.domain.counts.services import PostOutcome, load_stocktake

__all__ = ["count_read", "post_result", "stocktake_read"]


async def _names(session: AsyncSession, model, ids: set[UUID], column) -> dict[UUID, str]:  # type: ignore[no-untyped-def]
    if not ids:
        return {}
    return dict((await session.execute(select(model.id, column).where(model.id.in_(ids)))).tuples().all())


async def _on_hand(session: AsyncSession, count: StocktakeCount) -> int:
    value = await session.scalar(
        select(StockBalance.on_hand).where(StockBalance.product_id == count.product_id, StockBalance.location_id == count.location_id, StockBalance.batch == count.batch)
    )
    return int(value or 0)


async def count_read(session: AsyncSession, count: StocktakeCount, *, show_expected: bool, location: str | None = None, sku: str | None = None) -> CountRead:
    """Return the wire form of one count; expected, variance and later movements only if shown."""
    if location is None:
        location = await session.scalar(select(Location.code).where(Location.id == count.location_id)) or ""
    if sku is None:
        sku = await session.scalar(select(Product.sku).where(Product.id == count.product_id)) or ""
    moved_since = None
    if show_expected and count.status in (*CountStatus.LIVE, CountStatus.REJECTED):
        moved_since = await _on_hand(session, count) - count.expected_quantity
    return CountRead(
        id=count.id,
        location=location,
        sku=sku,
        batch=count.batch,
        counted_quantity=count.counted_quantity,
        expected_quantity=count.expected_quantity if show_expected else None,
        variance=count.variance if show_expected else None,
        status=count.status,
        counted_at=count.counted_at,
        moved_since=moved_since,
    )


async def stocktake_read(session: AsyncSession, stocktake_id: UUID, *, is_supervisor: bool) -> StocktakeRead:
    """Return a stocktake with its scope, counts and (unless blind for this user) expected stock."""
    stocktake: Stocktake = await load_stocktake(session, stocktake_id)
    show_expected = is_supervisor or not stocktake.blind
    scope = (await session.scalars(select(StocktakeScope).where(StocktakeScope.stocktake_id == stocktake.id))).all()
    location_ids = {row.location_id for row in scope if row.location_id}
    product_ids = {row.product_id for row in scope if row.product_id}
    counts = (await session.scalars(select(StocktakeCount).where(StocktakeCount.stocktake_id == stocktake.id).order_by(StocktakeCount.counted_at, StocktakeCount.id))).all()
    codes = await _names(session, Location, location_ids | {count.location_id for count in counts}, Location.code)
    skus = await _names(session, Product, product_ids | {count.product_id for count in counts}, Product.sku)

    expected: list[ExpectedLine] | None = None
    if show_expected:
        statement = select(StockBalance, Location.code, Product.sku).join(Location, Location.id == StockBalance.location_id).join(Product, Product.id == StockBalance.product_id)
        statement = statement.where(StockBalance.on_hand != 0, Location.warehouse_id == stocktake.warehouse_id)
        if stocktake.kind == StocktakeKind.LOCATION:
            statement = statement.where(StockBalance.location_id.in_(location_ids))
        else:
            statement = statement.where(StockBalance.product_id.in_(product_ids))
        rows = (await session.execute(statement.order_by(Location.pick_sequence, Location.code, Product.sku, StockBalance.batch))).all()
        expected = [ExpectedLine(location=code, sku=sku, batch=balance.batch, on_hand=balance.on_hand) for balance, code, sku in rows]

    return StocktakeRead(
        id=stocktake.id,
        warehouse_id=stocktake.warehouse_id,
        kind=stocktake.kind,
        blind=stocktake.blind,
        status=stocktake.status,
        variance_threshold_units=stocktake.variance_threshold_units,
        variance_threshold_percent=stocktake.variance_threshold_percent,
        zero_uncounted=stocktake.zero_uncounted,
        job_id=stocktake.job_id,
        locations=sorted(codes[loc] for loc in location_ids),
        products=sorted(skus[product] for product in product_ids),
        counts=[await count_read(session, count, show_expected=show_expected, location=codes.get(count.location_id), sku=skus.get(count.product_id)) for count in counts],
        expected=expected,
        note=stocktake.note,
    )


def post_result(outcome: PostOutcome) -> PostResult:
    """Return the wire form of a posting attempt."""
    return PostResult(
        stocktake_id=outcome.stocktake.id,
        posted=outcome.posted,
        status=outcome.stocktake.status,
        movements=outcome.movements,
        pending_approval=outcome.pending,
        not_counted_locations=outcome.not_counted,
        warnings=outcome.warnings,
    )
