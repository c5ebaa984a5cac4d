"""Planning replenishment jobs for pick faces below their minimum.

A pick face is a PICK_FACE location with min and max set, assigned to a product as that
product's pick face. When its available stock (on hand minus allocated, over all batches) is
below min, one REPLENISHMENT job moves stock from BULK_STORAGE and OVERFLOW locations of the
same warehouse to bring it up to max. Sources are taken earliest expiry first for FEFO
products and oldest first otherwise (batch creation, then the balance's creation, which is when
stock first arrived at that location), then in pick sequence. A pick face that already has an
open replenishment job for the product gets no second one.

The functions take a synchronous Session so that the commit hook, which runs inside the
synchronous part of SQLAlchemy's asyncio bridge, and the async callers (through
``AsyncSession.run_sync``) share one implementation.
"""

from __future__ import annotations

from uuid import UUID

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.db.models import Batch, Job, JobLine, JobStatus, JobType, Location, LocationType, Product, StockBalance
from app.lib.logging import get_logger

__all__ = ["SOURCE_TYPES", "plan_for_pick_face", "replenish_pick_faces"]

log = get_logger(__name__)

SOURCE_TYPES = (LocationType.BULK_STORAGE.value, LocationType.OVERFLOW.value)
_OPEN = tuple(status.value for status in JobStatus if status.value not in ("COMPLETED", "FAILED", "CANCELLED"))


def _available_at(session: Session, product_id: UUID, location_id: UUID) -> int:
    total = session.scalar(
        select(func.coalesce(func.sum(StockBalance.on_hand - StockBalance.allocated), 0)).where(
            StockBalance.product_id == product_id, StockBalance.location_id == location_id
        )
    )
    return int(total or 0)


def _has_open_job(session: Session, product_id: UUID, location_id: UUID) -> bool:
    statement = (
        select(Job.id)
        .join(JobLine, JobLine.job_id == Job.id)
        .where(Job.type == JobType.REPLENISHMENT.value, Job.status.in_(_OPEN), JobLine.product_id == product_id, JobLine.to_location_id == location_id)
        .limit(1)
    )
    return session.scalar(statement) is not None


def _sources(session: Session, product: Product, warehouse_id: UUID) -> list[tuple[StockBalance, int]]:
    statement = (
        select(StockBalance, Location, Batch)
        .join(Location, Location.id == StockBalance.location_id)
        .outerjoin(Batch, (Batch.product_id == StockBalance.product_id) & (Batch.code == StockBalance.batch))
        .where(
            StockBalance.product_id == product.id,
            StockBalance.on_hand - StockBalance.allocated > 0,
            Location.warehouse_id == warehouse_id,
            Location.archived.is_(False),
            Location.type.in_(SOURCE_TYPES),
        )
    )
    rows = session.execute(statement).all()
    fefo = product.allocation_rule == "FEFO"

    def age_key(row):  # type: ignore[no-untyped-def]
        balance, location, batch = row
        expiry = batch.expiry if batch is not None else None
        # FEFO: dated batches first, earliest date first. FIFO ignores expiry.
        no_expiry = fefo and expiry is None
        expiry_order = expiry.toordinal() if fefo and expiry is not None else 0
        created = batch.created_at if batch is not None else balance.created_at
        return (no_expiry, expiry_order, created, location.pick_sequence, location.code)

    rows.sort(key=age_key)
    return [(balance, balance.on_hand - balance.allocated) for balance, _location, _batch in rows]


def plan_for_pick_face(session: Session, product_id: UUID, location_id: UUID) -> Job | None:
    """Create a replenishment job for this product's pick face if it is below min; return it."""
    location = session.get(Location, location_id)
    product = session.get(Product, product_id)
    if location is None or product is None:
        return None
    if location.type != LocationType.PICK_FACE.value or location.archived or location.min_quantity is None or location.max_quantity is None:
        return None
    if product.pick_face_location_id != location.id:
        return None
    available = _available_at(session, product.id, location.id)
    if available >= location.min_quantity:
        return None
    # NOTE: on PostgreSQL two concurrent transactions emptying the same pick face can each see no
    # open job, so each creates one. On SQLite the single writer rules this out.
    if _has_open_job(session, product.id, location.id):
        return None
    need = location.max_quantity - available
    lines: list[JobLine] = []
    for balance, free in _sources(session, product, location.warehouse_id):
        if need <= 0:
            break
        take = min(free, need)
        lines.append(JobLine(product_id=product.id, batch=balance.batch, from_location_id=balance.location_id, to_location_id=location.id, quantity=take, quantity_done=0))
        need -= take
    if not lines:
        log.warning("pick face below minimum but no bulk stock to replenish it", sku=product.sku, location=location.code, available=available, minimum=location.min_quantity)
        return None
    job = Job(
        warehouse_id=location.warehouse_id,
        type=JobType.REPLENISHMENT.value,
        status=JobStatus.READY.value,
        reference_type="pick_face",
        reference_id=location.code,
        zone=location.zone,
        pause_reason="",
        note=f"refill {location.code} from {available} to {location.max_quantity}" + (f"; {need} short in bulk" if need > 0 else ""),
        priority=1,
    )
    session.add(job)
    session.flush()
    for line in lines:
        line.job_id = job.id
        session.add(line)
    session.flush()
    log.info("replenishment job created", job_id=str(job.id), sku=product.sku, location=location.code, available=available, units=sum(line.quantity for line in lines))
    return job


def replenish_pick_faces(session: Session, *, warehouse_id: UUID | None = None, location_ids: list[UUID] | None = None, product_ids: list[UUID] | None = None) -> list[Job]:
    """Check every assigned pick face (optionally filtered) and create the jobs that are due."""
    statement = (
        select(Product.id, Location.id)
        .join(Location, Location.id == Product.pick_face_location_id)
        .where(Location.min_quantity.is_not(None), Location.max_quantity.is_not(None), Location.archived.is_(False))
        .order_by(Location.pick_sequence, Location.code)
    )
    if warehouse_id is not None:
        statement = statement.where(Location.warehouse_id == warehouse_id)
    if location_ids:
        statement = statement.where(Location.id.in_(location_ids))
    if product_ids:
        statement = statement.where(Product.id.in_(product_ids))
    jobs = []
    for product_id, location_id in session.execute(statement).tuples().all():
        job = plan_for_pick_face(session, product_id, location_id)
        if job is not None:
            jobs.append(job)
    return jobs
