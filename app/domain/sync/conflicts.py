"""Conflict rules: what a scan command does when the server changed since the device captured it.

A command reports something that already happened on the floor. The rules below record what
happened physically and flag whatever needs a person, instead of discarding the action. Each rule
has a test in ``tests/integration/sync/test_conflicts.py``.

1. **Stock driven negative.** A move or adjustment that takes more than the server thinks is there
   is applied. The ledger opens a ``negative_stock`` discrepancy so a supervisor schedules a count,
   and the command's status is ``applied_with_warning``.
2. **Location archived since.** Units moved into (or found in) a location that was archived
   meanwhile are recorded there, because that is where they are. An ``archived_location``
   discrepancy tells a supervisor to move them out, and the command is ``applied_with_warning``.
   Moving units out of an archived location is an ordinary move.
3. **Job reassigned.** A move against a job line of a job now assigned to someone else still
   counts on that line, because the work is done. The warning names the new assignee so they do
   not repeat it.
4. **Job cancelled or finished since.** The move is applied and the job is left as it is. The
   warning says the move was recorded without the job.
5. **Job line that does not match the scans** (another product, or the line no longer exists): the
   move is applied without job progress, with a warning.
6. **Order cancelled or changed after a pick** (``pick`` commands): the picked units are recorded
   where they now are (the tote or trolley) and a return-to-stock job takes them back, created by
   :func:`return_units_to_stock`. NOTE: the ``pick`` command belongs to the outbound flows, and
   this rule holds only where its handler calls that function.
7. **Unknown barcode, location or job reference that cannot be applied**: the command is
   ``rejected`` with a code (``unknown_barcode``, ``unknown_location``, ...). The rejection is
   stored and listed under needs attention with the raw scans until a supervisor resubmits it
   with a correction or dismisses it with a reason.
"""

from __future__ import annotations

from uuid import UUID

from sqlalchemy.ext.asyncio import AsyncSession

from app.db.models import Discrepancy, JobLine, JobStatus, JobType, Location, User
from app.domain.barcodes import LocationMatch, ProductMatch
from app.domain.jobs.actor import Actor
from app.domain.jobs.services import JobLineSpec, create_job, load_job, record_line_progress
from app.domain.sync.registry import CommandContext
from app.lib.timeutil import utcnow

__all__ = ["flag_archived_location", "record_job_progress", "return_units_to_stock"]

_FINISHED = (JobStatus.COMPLETED.value, JobStatus.FAILED.value, JobStatus.CANCELLED.value)


async def flag_archived_location(session: AsyncSession, location: Location, product: ProductMatch, units: int, movement_id: int) -> str:
    """Open an ``archived_location`` discrepancy for units recorded in an archived location; return its text."""
    message = f"{units} x {product.sku} recorded in archived location {location.code}: move them to an active location"
    session.add(
        Discrepancy(
            kind="archived_location",
            product_id=product.product_id,
            location_id=location.id,
            sku=product.sku,
            quantity=units,
            reference_type="location",
            reference_id=location.code,
            movement_id=movement_id,
            message=message,
        )
    )
    await session.flush()
    return message


async def record_job_progress(
    context: CommandContext,
    job_line_id: UUID,
    product: ProductMatch,
    source: LocationMatch,
    target: LocationMatch,
    units: int,
) -> tuple[dict[str, object], list[str]]:
    """Count a move on its job line by rules 3 to 5 above; return the job's state and any warnings."""
    session = context.session
    line = await session.get(JobLine, job_line_id)
    if line is None:
        return {"job_line_id": str(job_line_id), "counted": False}, [
            f"job line {job_line_id} no longer exists: the move was recorded without it"
        ]
    job = await load_job(session, line.job_id, for_update=True)
    line = next(candidate for candidate in job.lines if candidate.id == job_line_id)
    state: dict[str, object] = {"job_id": str(job.id), "job_line_id": str(line.id), "counted": False, "status": job.status}
    if job.status in _FINISHED:
        return state, [f"job {job.id} was {job.status.lower()} meanwhile: the move was recorded without it"]
    if line.product_id != product.product_id:
        return state, [f"job line {line.id} is for another product than {product.sku}: the move was recorded without the job"]

    warnings: list[str] = []
    if line.from_location_id not in (None, source.location_id) or line.to_location_id not in (None, target.location_id):
        warnings.append(f"the move {source.code} -> {target.code} differs from the locations of job line {line.id}; it was counted on the line")
    if job.assigned_to_id is None or job.assigned_to_id == context.user.id:
        await record_line_progress(session, job, line, units, actor=Actor(context.user, context.device_id, context.command_id))
    else:
        assignee = await session.get(User, job.assigned_to_id)
        name = assignee.username if assignee else str(job.assigned_to_id)
        warnings.append(f"job {job.id} is now assigned to {name}: your move was counted on it, so tell {name} it is done")
        # The work was done physically, so it counts although the job was reassigned meanwhile.
        # The jobs service rejects progress from an operator on someone else's job, so it is not used here.
        line.quantity_done += units
        if job.status != JobStatus.IN_PROGRESS.value:
            job.status = JobStatus.IN_PROGRESS.value
            job.started_at = job.started_at or utcnow()
        if all(candidate.quantity_done >= candidate.quantity for candidate in job.lines):
            job.status = JobStatus.COMPLETED.value
            job.finished_at = utcnow()
        await session.flush()
    state.update(counted=True, status=job.status, quantity_done=line.quantity_done, quantity=line.quantity)
    return state, warnings


async def return_units_to_stock(
    session: AsyncSession,
    *,
    warehouse_id: UUID,
    product_id: UUID,
    units: int,
    held_at_location_id: UUID,
    return_to_location_id: UUID | None,
    batch: str,
    reference_type: str,
    reference_id: str,
) -> UUID:
    """Create a RETURN_TO_STOCK job for units picked for an order that no longer wants them.

    The units stay recorded where they are (``held_at_location_id``, a tote or trolley) until an
    operator carries out the job with ``move`` scans. Returns the job id.
    """
    job = await create_job(
        session,
        warehouse_id=warehouse_id,
        job_type=JobType.RETURN_TO_STOCK,
        lines=[
            JobLineSpec(
                product_id=product_id,
                quantity=units,
                batch=batch,
                from_location_id=held_at_location_id,
                to_location_id=return_to_location_id,
            )
        ],
        reference_type=reference_type,
        reference_id=reference_id,
        note="picked for an order that was cancelled or changed",
    )
    return job.id
