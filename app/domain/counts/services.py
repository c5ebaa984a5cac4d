"""Stocktakes: counting, variance approval and posting.

A count is a snapshot. Recording it reads the balance of that product, location and batch in the
same transaction (locked on PostgreSQL) and stores it as ``expected_quantity``, so the variance is
fixed at that moment. Posting later adds the variance to whatever is on hand then, as one
``count`` movement. Stock that moved between the count and the posting therefore stays accounted
for instead of being overwritten by the counted figure.

Approval: a count needs a supervisor when ``|variance|`` exceeds the units threshold, or when a
percent threshold is set and ``|variance|`` exceeds that percentage of the expected quantity. A
units threshold of 0 sends every variance for approval.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from uuid import UUID

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from app.db.models import (
    CountStatus,
    Job,
    JobLine,
    JobStatus,
    Location,
    Product,
    StockBalance,
    Stocktake,
    StocktakeCount,
    StocktakeKind,
    StocktakeScope,
    StocktakeStatus,
    StockMovement,
    Warehouse,
)
from app.domain.jobs.actor import Actor
from app.domain.stock.ledger import ensure_balance
from app.lib.errors import ConflictError, InvalidInputError, NotFoundError, PermissionDeniedError
from app.lib.logging import get_logger
from app.lib.timeutil import utcnow

__all__ = [
    "CountOutcome",
    "PostOutcome",
    "create_stocktake",
    "find_open_stocktake",
    "load_stocktake",
    "needs_approval",
    "record_count",
    "review_counts",
]

log = get_logger(__name__)


@dataclass
class CountOutcome:
    count: StocktakeCount
    stocktake: Stocktake
    warnings: list[str] = field(default_factory=list)


@dataclass
class PostOutcome:
    stocktake: Stocktake
    posted: bool
    movements: int = 0
    pending: list[UUID] = field(default_factory=list)
    not_counted: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)


def needs_approval(variance: int, expected: int, units_threshold: int, percent_threshold: int) -> bool:
    """Tell whether a variance waits for a supervisor (see the module docstring for the rule)."""
    if variance == 0:
        return False
    size = abs(variance)
    if size > units_threshold:
        return True
    return percent_threshold > 0 and size * 100 > percent_threshold * max(expected, 0)


async def load_stocktake(session: AsyncSession, stocktake_id: UUID, *, for_update: bool = False) -> Stocktake:
    """Return a stocktake or raise NotFoundError naming it."""
    statement = select(Stocktake).where(Stocktake.id == stocktake_id)
    if for_update:
        statement = statement.with_for_update()
    stocktake = await session.scalar(statement)
    if stocktake is None:
        raise NotFoundError(f"stocktake {stocktake_id} not found", code="unknown_stocktake", stocktake_id=str(stocktake_id))
    return stocktake


def _threshold(value: int | None, default: int, name: str) -> int:
    if value is None:
        return default
    if value < 0:
        raise InvalidInputError(f"{name} {value} is negative: use 0 or more", field=name)
    return value


async def create_stocktake(
    session: AsyncSession,
    *,
    warehouse: Warehouse,
    kind: str,
    location_ids: list[UUID] | None = None,
    product_ids: list[UUID] | None = None,
    blind: bool = True,
    variance_threshold_units: int | None = None,
    variance_threshold_percent: int | None = None,
    zero_uncounted: bool = True,
    note: str = "",
    actor: Actor | None = None,
    job_id: UUID | None = None,
) -> Stocktake:
    """Create an OPEN stocktake over locations (kind "location") or products (kind "product")."""
    if kind not in StocktakeKind.ALL:
        raise InvalidInputError(f"kind {kind!r} is invalid: use location or product", field="kind")
    location_ids = list(dict.fromkeys(location_ids or []))
    product_ids = list(dict.fromkeys(product_ids or []))
    if kind == StocktakeKind.LOCATION and not location_ids:
        raise InvalidInputError("a location stocktake needs at least one location", field="locations")
    if kind == StocktakeKind.PRODUCT and not product_ids:
        raise InvalidInputError("a product stocktake needs at least one product", field="products")
    stocktake = Stocktake(
        warehouse_id=warehouse.id,
        kind=kind,
        blind=blind,
        status=StocktakeStatus.OPEN,
        variance_threshold_units=_threshold(variance_threshold_units, warehouse.count_variance_units, "variance_threshold_units"),
        variance_threshold_percent=_threshold(variance_threshold_percent, warehouse.count_variance_percent, "variance_threshold_percent"),
        zero_uncounted=zero_uncounted and kind == StocktakeKind.LOCATION,
        job_id=job_id,
        created_by_id=actor.user_id if actor else None,
        note=note[:500],
    )
    session.add(stocktake)
    await session.flush()
    for location_id in location_ids if kind == StocktakeKind.LOCATION else []:
        session.add(StocktakeScope(stocktake_id=stocktake.id, location_id=location_id))
    for product_id in product_ids if kind == StocktakeKind.PRODUCT else []:
        session.add(StocktakeScope(stocktake_id=stocktake.id, product_id=product_id))
    await session.flush()
    log.info("stocktake created", stocktake_id=str(stocktake.id), kind=kind, blind=blind, scope=len(location_ids) + len(product_ids))
    return stocktake


async def _in_scope(session: AsyncSession, stocktake: Stocktake, location_id: UUID, product_id: UUID) -> bool:
    column, value = (StocktakeScope.location_id, location_id) if stocktake.kind == StocktakeKind.LOCATION else (StocktakeScope.product_id, product_id)
    return bool(await session.scalar(select(StocktakeScope.id).where(StocktakeScope.stocktake_id == stocktake.id, column == value).limit(1)))


async def find_open_stocktake(session: AsyncSession, location: Location, product_id: UUID) -> Stocktake | None:
    """Return the newest OPEN stocktake whose scope covers this location or product."""
    statement = (
        select(Stocktake)
        .join(StocktakeScope, StocktakeScope.stocktake_id == Stocktake.id)
        .where(
            Stocktake.status == StocktakeStatus.OPEN,
            Stocktake.warehouse_id == location.warehouse_id,
            (StocktakeScope.location_id == location.id) | (StocktakeScope.product_id == product_id),
        )
        .order_by(Stocktake.created_at.desc())
        .limit(1)
    )
    return await session.scalar(statement)


async def _snapshot(session: AsyncSession, product_id: UUID, location_id: UUID, batch: str) -> int:
    await ensure_balance(session, product_id, location_id, batch)
    statement = (
        select(StockBalance.on_hand)
        .where(StockBalance.product_id == product_id, StockBalance.location_id == location_id, StockBalance.batch == batch)
        .with_for_update()
    )
    return int(await session.scalar(statement) or 0)


async def _mark_job_line(session: AsyncSession, stocktake: Stocktake, count: StocktakeCount, actor: Actor) -> None:
    if stocktake.job_id is None:
        return
    job = await session.get(Job, stocktake.job_id)
    if job is None or job.status in (JobStatus.COMPLETED.value, JobStatus.CANCELLED.value, JobStatus.FAILED.value):
        return
    lines = (await session.scalars(select(JobLine).where(JobLine.job_id == job.id).order_by(JobLine.id))).all()
    line = next((line for line in lines if line.from_location_id == count.location_id and line.product_id == count.product_id and line.batch == count.batch), None)
    if line is None:
        line = next((line for line in lines if line.from_location_id == count.location_id and line.quantity_done < line.quantity), None)
    if line is not None and line.quantity_done < line.quantity:
        line.quantity_done = line.quantity
        count.job_line_id = line.id
    if job.status != JobStatus.IN_PROGRESS.value:
        job.status = JobStatus.IN_PROGRESS.value
        job.started_at = job.started_at or utcnow()
        job.assigned_to_id = job.assigned_to_id or actor.user_id
    if all(candidate.quantity_done >= candidate.quantity for candidate in lines):
        job.status = JobStatus.COMPLETED.value
        job.finished_at = utcnow()
    await session.flush()


# Below the largest INTEGER that PostgreSQL stores (2**31 - 1), the type of the counted column.
MAX_COUNTED_UNITS = 1_000_000_000


async def record_count(
    session: AsyncSession,
    *,
    location: Location,
    product: Product,
    counted_quantity: int,
    actor: Actor,
    stocktake_id: UUID | None = None,
    batch: str | None = None,
    require_batch: bool = True,
) -> CountOutcome:
    """Record one count as a snapshot of on hand now; see the module docstring.

    Without ``stocktake_id`` the count joins the newest open stocktake covering the location or
    product, or a new blind stocktake of that one location.
    """
    if counted_quantity < 0:
        raise InvalidInputError(f"counted quantity {counted_quantity} is invalid: count 0 or more", field="counted_quantity")
    if counted_quantity > MAX_COUNTED_UNITS:
        raise InvalidInputError(f"counted quantity {counted_quantity} is invalid: the maximum is {MAX_COUNTED_UNITS:,} units", field="counted_quantity")
    batch_code = "" if product.tracking == "NONE" else (batch or "").strip()
    if require_batch and product.tracking == "BATCH" and not batch_code:
        raise InvalidInputError(f"{product.sku} is batch-tracked: scan the batch label or type the batch, and count each batch", code="batch_required", field="batch")
    warnings: list[str] = []
    if stocktake_id is not None:
        stocktake = await load_stocktake(session, stocktake_id, for_update=True)
    else:
        stocktake = await find_open_stocktake(session, location, product.id)
        if stocktake is None:
            warehouse = await session.get(Warehouse, location.warehouse_id)
            assert warehouse is not None
            stocktake = await create_stocktake(session, warehouse=warehouse, kind=StocktakeKind.LOCATION, location_ids=[location.id], blind=True, actor=actor, note=f"count of {location.code}")
    if stocktake.status != StocktakeStatus.OPEN:
        raise ConflictError(f"stocktake {stocktake.id} is {stocktake.status}: it takes no more counts", code="stocktake_closed")
    if stocktake.warehouse_id != location.warehouse_id:
        raise InvalidInputError(f"location {location.code} is not in the stocktake's warehouse", field="location")
    if not await _in_scope(session, stocktake, location.id, product.id):
        what = f"location {location.code}" if stocktake.kind == StocktakeKind.LOCATION else f"product {product.sku}"
        raise ConflictError(f"{what} is not part of stocktake {stocktake.id}: count only what it lists", code="not_in_stocktake")

    expected = await _snapshot(session, product.id, location.id, batch_code)
    last_movement = await session.scalar(select(func.max(StockMovement.id)))
    previous = (
        await session.scalars(
            select(StocktakeCount).where(
                StocktakeCount.stocktake_id == stocktake.id,
                StocktakeCount.location_id == location.id,
                StocktakeCount.product_id == product.id,
                StocktakeCount.batch == batch_code,
                StocktakeCount.status.in_((*CountStatus.LIVE, CountStatus.REJECTED)),
            )
        )
    ).all()
    for earlier in previous:
        earlier.status = CountStatus.SUPERSEDED
    if previous:
        warnings.append(f"this recount replaces the earlier count of {product.sku} at {location.code}")
    variance = counted_quantity - expected
    pending = needs_approval(variance, expected, stocktake.variance_threshold_units, stocktake.variance_threshold_percent)
    count = StocktakeCount(
        stocktake_id=stocktake.id,
        location_id=location.id,
        product_id=product.id,
        batch=batch_code,
        counted_quantity=counted_quantity,
        expected_quantity=expected,
        variance=variance,
        status=CountStatus.PENDING_APPROVAL if pending else CountStatus.APPROVED,
        counted_at=utcnow(),
        last_movement_id=last_movement,
        operator_id=actor.user_id,
        device_id=actor.device_id,
        command_id=actor.command_id,
    )
    session.add(count)
    await session.flush()
    await _mark_job_line(session, stocktake, count, actor)
    log.info("count recorded", stocktake_id=str(stocktake.id), sku=product.sku, location=location.code, counted=counted_quantity, variance=variance, pending=pending)
    return CountOutcome(count=count, stocktake=stocktake, warnings=warnings)


async def review_counts(session: AsyncSession, stocktake_id: UUID, count_ids: list[UUID], *, approve: bool, actor: Actor, note: str = "") -> list[StocktakeCount]:
    """Approve or reject counts waiting for approval (supervisors only)."""
    if not actor.is_supervisor:
        raise PermissionDeniedError("only a supervisor can approve or reject count variances")
    if not count_ids:
        raise InvalidInputError("name at least one count to review", field="count_ids")
    stocktake = await load_stocktake(session, stocktake_id, for_update=True)
    if stocktake.status != StocktakeStatus.OPEN:
        raise ConflictError(f"stocktake {stocktake.id} is {stocktake.status}", code="stocktake_closed")
    counts = (await session.scalars(select(StocktakeCount).where(StocktakeCount.stocktake_id == stocktake.id, StocktakeCount.id.in_(count_ids)))).all()
    found = {count.id for count in counts}
    missing = [str(count_id) for count_id in count_ids if count_id not in found]
    if missing:
        raise NotFoundError(f"count {missing[0]} is not in stocktake {stocktake.id}", count_ids=missing)
    for count in counts:
        if count.status != CountStatus.PENDING_APPROVAL:
            raise ConflictError(f"count {count.id} is {count.status}, not waiting for approval", code="count_not_pending")
        count.status = CountStatus.APPROVED if approve else CountStatus.REJECTED
        count.reviewed_by_id = actor.user_id
        count.review_note = note[:500]
    await session.flush()
    log.info("counts reviewed", stocktake_id=str(stocktake.id), approved=approve, counts=len(counts), by=str(actor.user_id))
    return list(counts)
