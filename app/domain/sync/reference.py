"""Reference data for offline work: products with barcodes, locations and open jobs, as deltas.

The cursor is the server's clock when a fetch started. The next fetch returns every row whose
``updated_at`` is later than the cursor minus :data:`CURSOR_OVERLAP`. The overlap exists because a
row is stamped when its transaction writes it, not when that transaction commits, so a transaction
still open during the previous fetch would otherwise be missed. Rows sent twice are harmless: devices
upsert by id. Archived locations and inactive products come with their flags set, and jobs that
closed since the cursor are listed in ``closed_job_ids``.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime, timedelta
from uuid import UUID

from sqlalchemy import or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from app.db.models import Job, JobLine, JobStatus, Location, Product, ProductBarcode
from app.domain.sync.schemas import (
    ReferenceBarcode,
    ReferenceData,
    ReferenceJob,
    ReferenceJobLine,
    ReferenceLocation,
    ReferenceProduct,
)
from app.lib.errors import InvalidInputError
from app.lib.timeutil import parse_timestamp, utcnow

__all__ = ["CURSOR_OVERLAP", "get_reference_data", "parse_cursor"]

# NOTE: a write transaction open longer than this across a fetch can still be missed; a device
# that fetches with no cursor gets everything again.
CURSOR_OVERLAP = timedelta(seconds=60)
_CURSOR_PREFIX = "v1:"
_CLOSED = (JobStatus.COMPLETED.value, JobStatus.FAILED.value, JobStatus.CANCELLED.value)


def parse_cursor(cursor: str) -> datetime:
    """Read a cursor returned by an earlier fetch; raise InvalidInputError for anything else."""
    if not cursor.startswith(_CURSOR_PREFIX):
        raise InvalidInputError(f"cursor {cursor!r} is invalid: send the cursor from the last response, or none to get everything", field="since")
    try:
        return parse_timestamp(cursor[len(_CURSOR_PREFIX) :])
    except ValueError:
        raise InvalidInputError(f"cursor {cursor!r} is invalid: send the cursor from the last response, or none to get everything", field="since") from None


async def _products(session: AsyncSession, changed_after: datetime | None) -> list[ReferenceProduct]:
    # NOTE: a deleted barcode row leaves nothing to compare, so its product is resent only when the
    # product or another of its barcodes changes too; a full fetch (no cursor) always corrects it.
    statement = select(Product).order_by(Product.sku)
    if changed_after is not None:
        changed_barcodes = select(ProductBarcode.product_id).where(ProductBarcode.updated_at > changed_after)
        statement = statement.where(or_(Product.updated_at > changed_after, Product.id.in_(changed_barcodes)))
    products = (await session.scalars(statement)).all()
    barcodes: dict[UUID, list[ReferenceBarcode]] = defaultdict(list)
    ids = [product.id for product in products]
    for start in range(0, len(ids), 500):
        rows = await session.scalars(select(ProductBarcode).where(ProductBarcode.product_id.in_(ids[start : start + 500])).order_by(ProductBarcode.code))
        for barcode in rows:
            barcodes[barcode.product_id].append(ReferenceBarcode(code=barcode.code, units=barcode.units, kind=barcode.kind))
    return [
        ReferenceProduct(
            id=product.id,
            sku=product.sku,
            name=product.name,
            tracking=product.tracking,
            barcodes=barcodes.get(product.id, []),
            active=product.active,
        )
        for product in products
    ]


async def _locations(session: AsyncSession, changed_after: datetime | None) -> list[ReferenceLocation]:
    statement = select(Location).order_by(Location.code)
    if changed_after is not None:
        statement = statement.where(Location.updated_at > changed_after)
    return [
        ReferenceLocation(
            id=location.id,
            code=location.code,
            barcode=location.barcode,
            type=location.type,
            zone=location.zone,
            archived=location.archived,
            warehouse_id=location.warehouse_id,
        )
        for location in await session.scalars(statement)
    ]


async def _jobs(session: AsyncSession, changed_after: datetime | None) -> tuple[list[ReferenceJob], list[UUID]]:
    statement = select(Job).order_by(Job.created_at)
    if changed_after is not None:
        changed_lines = select(JobLine.job_id).where(JobLine.updated_at > changed_after)
        statement = statement.where(or_(Job.updated_at > changed_after, Job.id.in_(changed_lines)))
    else:
        statement = statement.where(Job.status.not_in(_CLOSED))
    jobs = (await session.scalars(statement)).all()
    closed = [job.id for job in jobs if job.status in _CLOSED]
    open_jobs = [job for job in jobs if job.status not in _CLOSED]
    lines: dict[UUID, list[ReferenceJobLine]] = defaultdict(list)
    ids = [job.id for job in open_jobs]
    for start in range(0, len(ids), 500):
        rows = await session.scalars(select(JobLine).where(JobLine.job_id.in_(ids[start : start + 500])).order_by(JobLine.created_at))
        for line in rows:
            lines[line.job_id].append(
                ReferenceJobLine(
                    id=line.id,
                    product_id=line.product_id,
                    batch=line.batch,
                    from_location_id=line.from_location_id,
                    to_location_id=line.to_location_id,
                    quantity=line.quantity,
                    quantity_done=line.quantity_done,
                )
            )
    reference = [
        ReferenceJob(
            id=job.id,
            type=job.type,
            status=job.status,
            warehouse_id=job.warehouse_id,
            order_id=job.order_id,
            assigned_to_id=job.assigned_to_id,
            lines=lines.get(job.id, []),
        )
        for job in open_jobs
    ]
    return reference, closed


async def get_reference_data(session: AsyncSession, since: str | None = None) -> ReferenceData:
    """Return everything a device needs offline, or only what changed since the cursor ``since``."""
    started = utcnow()
    changed_after = parse_cursor(since) - CURSOR_OVERLAP if since else None
    products = await _products(session, changed_after)
    locations = await _locations(session, changed_after)
    jobs, closed = await _jobs(session, changed_after)
    return ReferenceData(
        cursor=_CURSOR_PREFIX + started.isoformat(),
        full=changed_after is None,
        products=products,
        locations=locations,
        jobs=jobs,
        closed_job_ids=closed,
    )
