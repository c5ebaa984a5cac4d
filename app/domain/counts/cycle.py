"""Cycle counts: a blind stocktake plus a CYCLE_COUNT job, for a zone, discrepancy bins or a product."""

from __future__ import annotations

from uuid import UUID

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from app.db.models import Discrepancy, Job, JobType, Location, StockBalance, Stocktake, StocktakeKind, Warehouse
from app.domain.counts.services import create_stocktake
from app.domain.jobs.actor import Actor
from app.domain.jobs.services import JobLineSpec, create_job
from app.lib.errors import InvalidInputError, NotFoundError

__all__ = ["create_cycle_count"]


async def _lines_at(session: AsyncSession, location_ids: list[UUID], product_id: UUID | None = None) -> list[JobLineSpec]:
    statement = (
        select(StockBalance.product_id, StockBalance.batch, StockBalance.location_id)
        .join(Location, Location.id == StockBalance.location_id)
        .where(StockBalance.location_id.in_(location_ids), StockBalance.on_hand != 0)
        .order_by(Location.pick_sequence, Location.code, StockBalance.batch)
    )
    if product_id is not None:
        statement = statement.where(StockBalance.product_id == product_id)
    # One count per product, batch and location; quantity 1 means "one count to make".
    return [JobLineSpec(product_id=p, batch=b, from_location_id=loc, quantity=1) for p, b, loc in (await session.execute(statement)).tuples()]


async def create_cycle_count(
    session: AsyncSession,
    *,
    warehouse: Warehouse,
    actor: Actor,
    zone: str | None = None,
    discrepancies: bool = False,
    product_id: UUID | None = None,
) -> tuple[Stocktake, Job]:
    """Create a blind stocktake and its CYCLE_COUNT job with one line per stock balance to count.

    NOTE: an empty location of a zone is part of the stocktake's scope but gets no job line,
    because a job line names a product. Posting lists such locations as not counted.
    """
    chosen = sum([zone is not None, discrepancies, product_id is not None])
    if chosen != 1:
        raise InvalidInputError("choose exactly one of zone, discrepancies or product for a cycle count")
    if zone is not None:
        location_ids = list(
            (await session.scalars(select(Location.id).where(Location.warehouse_id == warehouse.id, Location.zone == zone, Location.archived.is_(False)).order_by(Location.pick_sequence, Location.code))).all()
        )
        if not location_ids:
            raise NotFoundError(f"zone {zone!r} has no active locations in {warehouse.code}", field="zone")
        lines = await _lines_at(session, location_ids)
        kind, scope_products, label = StocktakeKind.LOCATION, [], f"zone {zone}"
    elif discrepancies:
        rows = (
            await session.execute(
                select(Discrepancy.location_id, Discrepancy.product_id)
                .join(Location, Location.id == Discrepancy.location_id)
                .where(Discrepancy.resolved.is_(False), Location.warehouse_id == warehouse.id)
            )
        ).tuples().all()
        location_ids = list(dict.fromkeys(location_id for location_id, _product in rows))
        if not location_ids:
            raise NotFoundError(f"no open discrepancies with a location in {warehouse.code}: nothing to count")
        lines = await _lines_at(session, location_ids)
        covered = {(line.from_location_id, line.product_id) for line in lines}
        for location_id, discrepancy_product in rows:
            if discrepancy_product is not None and (location_id, discrepancy_product) not in covered:
                lines.append(JobLineSpec(product_id=discrepancy_product, from_location_id=location_id, quantity=1))
                covered.add((location_id, discrepancy_product))
        kind, scope_products, label = StocktakeKind.LOCATION, [], "bins with discrepancies"
    else:
        assert product_id is not None
        location_ids = list(
            dict.fromkeys(
                (await session.scalars(
                    select(StockBalance.location_id).join(Location, Location.id == StockBalance.location_id).where(
                        StockBalance.product_id == product_id, StockBalance.on_hand != 0, Location.warehouse_id == warehouse.id
                    )
                )).all()
            )
        )
        if not location_ids:
            raise NotFoundError("the product has no stock in this warehouse: nothing to count", field="product")
        lines = await _lines_at(session, location_ids, product_id)
        kind, scope_products, label = StocktakeKind.PRODUCT, [product_id], "product"
    if not lines:
        raise NotFoundError(f"{label} contains no stock: there is nothing to count")

    stocktake = await create_stocktake(
        session,
        warehouse=warehouse,
        kind=kind,
        location_ids=location_ids,
        product_ids=scope_products,
        blind=True,
        actor=actor,
        note=f"cycle count: {label}",
    )
    job = await create_job(
        session,
        warehouse_id=warehouse.id,
        job_type=JobType.CYCLE_COUNT,
        lines=lines,
        reference_type="stocktake",
        reference_id=str(stocktake.id),
        zone=zone or "",
        note=f"cycle count: {label}",
    )
    stocktake.job_id = job.id
    await session.flush()
    return stocktake, job
