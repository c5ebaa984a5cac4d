"""Job life cycle: READY → ASSIGNED → IN_PROGRESS ⇄ PAUSED → COMPLETED, or CANCELLED / FAILED.

Scans drive jobs forward: recording progress on a line starts a READY, ASSIGNED or PAUSED job, and
the job completes when every line is done. Supervisors assign jobs to anyone and cancel them;
operators claim unassigned jobs and work only on their own.
"""

from __future__ import annotations

from dataclasses import dataclass
from uuid import UUID

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import selectinload

from app.db.models import Job, JobLine, JobStatus, JobType, Location, Product, User
from app.domain.jobs.actor import Actor
from app.domain.jobs.schemas import JobLineRead, JobRead
from app.lib.errors import ConflictError, InvalidInputError, NotFoundError, PermissionDeniedError
from app.lib.logging import get_logger
from app.lib.timeutil import utcnow

__all__ = [
    "FINISHED_STATUSES",
    "OPEN_STATUSES",
    "JobLineSpec",
    "assign_job",
    "cancel_job",
    "complete_job",
    "create_job",
    "fail_job",
    "get_job",
    "job_read",
    "list_jobs",
    "pause_job",
    "record_line_progress",
    "resume_job",
    "start_job",
]

log = get_logger(__name__)

FINISHED_STATUSES = (JobStatus.COMPLETED.value, JobStatus.FAILED.value, JobStatus.CANCELLED.value)
OPEN_STATUSES = tuple(status.value for status in JobStatus if status.value not in FINISHED_STATUSES)


@dataclass(frozen=True)
class JobLineSpec:
    """One line of a job to create."""

    product_id: UUID
    quantity: int
    batch: str = ""
    from_location_id: UUID | None = None
    to_location_id: UUID | None = None


async def create_job(
    session: AsyncSession,
    *,
    warehouse_id: UUID,
    job_type: JobType | str,
    lines: list[JobLineSpec],
    reference_type: str = "",
    reference_id: str = "",
    zone: str = "",
    note: str = "",
    priority: int = 0,
) -> Job:
    """Create a READY job with its lines in the caller's transaction."""
    job_type = JobType(job_type)
    if not lines:
        raise InvalidInputError(f"a {job_type.value} job needs at least one line")
    job = Job(
        warehouse_id=warehouse_id,
        type=job_type.value,
        status=JobStatus.READY.value,
        reference_type=reference_type,
        reference_id=reference_id,
        zone=zone,
        note=note,
        priority=priority,
        pause_reason="",
    )
    session.add(job)
    await session.flush()
    for spec in lines:
        session.add(
            JobLine(
                job_id=job.id,
                product_id=spec.product_id,
                batch=spec.batch,
                from_location_id=spec.from_location_id,
                to_location_id=spec.to_location_id,
                quantity=spec.quantity,
                quantity_done=0,
            )
        )
    await session.flush()
    log.info("job created", job_id=str(job.id), type=job.type, lines=len(lines), reference=f"{reference_type}:{reference_id}")
    return job


async def load_job(session: AsyncSession, job_id: UUID, *, for_update: bool = False) -> Job:
    """Return the job with its lines loaded; raise NotFoundError naming the id."""
    statement = select(Job).where(Job.id == job_id).options(selectinload(Job.lines))
    if for_update:
        statement = statement.with_for_update()
    job = await session.scalar(statement)
    if job is None:
        raise NotFoundError(f"job {job_id} not found", job_id=str(job_id))
    return job


def _require_open(job: Job, action: str) -> None:
    if job.status in FINISHED_STATUSES:
        raise ConflictError(
            f"job {job.id} is {job.status}: it cannot be {action}", code="job_finished", job_id=str(job.id), status=job.status
        )


def _require_worker(job: Job, actor: Actor) -> None:
    if job.assigned_to_id is not None and job.assigned_to_id != actor.user_id and not actor.is_supervisor:
        raise PermissionDeniedError(
            f"job {job.id} is assigned to another operator: ask a supervisor to reassign it",
            code="job_assigned_elsewhere",
            job_id=str(job.id),
        )


async def assign_job(session: AsyncSession, job_id: UUID, *, actor: Actor, user_id: UUID | None = None, username: str | None = None) -> Job:
    """Assign the job to a user. Operators may only claim an unassigned job for themselves."""
    job = await load_job(session, job_id, for_update=True)
    _require_open(job, "assigned")
    if username is not None:
        user = await session.scalar(select(User).where(User.username == username))
        if user is None:
            raise NotFoundError(f"user {username!r} not found", field="username")
        user_id = user.id
    elif user_id is not None:
        user = await session.get(User, user_id)
        if user is None:
            raise NotFoundError(f"user {user_id} not found", field="user_id")
    else:
        user_id = actor.user_id
    if not actor.is_supervisor:
        if user_id != actor.user_id:
            raise PermissionDeniedError("operators can assign jobs only to themselves: ask a supervisor")
        _require_worker(job, actor)
    job.assigned_to_id = user_id
    job.assigned_at = utcnow()
    if job.status in (JobStatus.READY.value, JobStatus.PENDING.value):
        job.status = JobStatus.ASSIGNED.value
    await session.flush()
    log.info("job assigned", job_id=str(job.id), user_id=str(user_id), by=str(actor.user_id))
    return job


def _start(job: Job, actor: Actor) -> None:
    if job.assigned_to_id is None:
        job.assigned_to_id = actor.user_id
        job.assigned_at = utcnow()
    job.status = JobStatus.IN_PROGRESS.value
    job.pause_reason = ""
    if job.started_at is None:
        job.started_at = utcnow()


async def start_job(session: AsyncSession, job_id: UUID, *, actor: Actor) -> Job:
    """Start a READY or ASSIGNED job. An unassigned job is assigned to the user who starts it."""
    job = await load_job(session, job_id, for_update=True)
    _require_open(job, "started")
    _require_worker(job, actor)
    if job.status == JobStatus.PAUSED.value:
        raise ConflictError(f"job {job.id} is paused ({job.pause_reason}): resume it instead", code="job_paused")
    _start(job, actor)
    await session.flush()
    return job


async def pause_job(session: AsyncSession, job_id: UUID, *, actor: Actor, reason: str) -> Job:
    """Pause a job; the reason is mandatory and shown on the job board."""
    reason = reason.strip()
    if not reason:
        raise InvalidInputError("a pause needs a reason, such as 'damaged pallet' or 'break'", field="reason")
    job = await load_job(session, job_id, for_update=True)
    _require_open(job, "paused")
    _require_worker(job, actor)
    job.status = JobStatus.PAUSED.value
    job.pause_reason = reason[:300]
    await session.flush()
    log.info("job paused", job_id=str(job.id), reason=job.pause_reason, by=str(actor.user_id))
    return job


async def resume_job(session: AsyncSession, job_id: UUID, *, actor: Actor) -> Job:
    """Resume a paused job."""
    job = await load_job(session, job_id, for_update=True)
    _require_open(job, "resumed")
    _require_worker(job, actor)
    if job.status != JobStatus.PAUSED.value:
        raise ConflictError(f"job {job.id} is {job.status}, not PAUSED: there is nothing to resume", code="job_not_paused")
    _start(job, actor)
    await session.flush()
    return job


def _unfinished_lines(job: Job) -> list[JobLine]:
    return [line for line in job.lines if line.quantity_done < line.quantity]


async def complete_job(session: AsyncSession, job_id: UUID, *, actor: Actor, force: bool = False) -> Job:
    """Complete a job. Lines still short need ``force`` from a supervisor."""
    job = await load_job(session, job_id, for_update=True)
    _require_open(job, "completed")
    _require_worker(job, actor)
    short = _unfinished_lines(job)
    if short and not (force and actor.is_supervisor):
        raise ConflictError(
            f"job {job.id} has {len(short)} unfinished lines: finish them, or a supervisor completes it with force",
            code="job_lines_open",
            open_lines=[str(line.id) for line in short],
        )
    job.status = JobStatus.COMPLETED.value
    job.finished_at = utcnow()
    await session.flush()
    return job


async def cancel_job(session: AsyncSession, job_id: UUID, *, actor: Actor, reason: str = "") -> Job:
    """Cancel an open job (supervisors only)."""
    if not actor.is_supervisor:
        raise PermissionDeniedError("only a supervisor can cancel a job")
    job = await load_job(session, job_id, for_update=True)
    _require_open(job, "cancelled")
    job.status = JobStatus.CANCELLED.value
    job.finished_at = utcnow()
    if reason:
        job.note = (job.note + f" cancelled: {reason}").strip()[:500]
    await session.flush()
    log.info("job cancelled", job_id=str(job.id), by=str(actor.user_id), reason=reason)
    return job


async def fail_job(session: AsyncSession, job_id: UUID, *, actor: Actor, reason: str) -> Job:
    """Mark a job FAILED with a mandatory reason, such as stock not found at the source."""
    if not reason.strip():
        raise InvalidInputError("failing a job needs a reason", field="reason")
    job = await load_job(session, job_id, for_update=True)
    _require_open(job, "failed")
    _require_worker(job, actor)
    job.status = JobStatus.FAILED.value
    job.finished_at = utcnow()
    job.note = (job.note + f" failed: {reason.strip()}").strip()[:500]
    await session.flush()
    return job


async def record_line_progress(
    session: AsyncSession, job: Job, line: JobLine, quantity: int, *, actor: Actor, enforce_assignee: bool = True
) -> Job:
    """Add ``quantity`` done on ``line`` (from a scan); complete the job when every line is done.

    The job must already be loaded with its lines. Scanning work on a READY, ASSIGNED or PAUSED job
    starts it, because the operator is evidently doing it. With ``enforce_assignee`` False, work
    by someone other than the assignee counts too (the units have already moved on the floor) and
    the job keeps its assignee.
    """
    _require_open(job, "worked on")
    if enforce_assignee:
        _require_worker(job, actor)
    if job.status != JobStatus.IN_PROGRESS.value:
        _start(job, actor)
    line.quantity_done += quantity
    if not _unfinished_lines(job):
        job.status = JobStatus.COMPLETED.value
        job.finished_at = utcnow()
    await session.flush()
    return job


async def job_read(session: AsyncSession, job: Job) -> JobRead:
    """Convert a job with loaded lines to its wire form, naming SKUs and location codes."""
    product_ids = {line.product_id for line in job.lines}
    location_ids = {loc for line in job.lines for loc in (line.from_location_id, line.to_location_id) if loc is not None}
    skus = dict((await session.execute(select(Product.id, Product.sku).where(Product.id.in_(product_ids)))).tuples().all()) if product_ids else {}
    codes = dict((await session.execute(select(Location.id, Location.code).where(Location.id.in_(location_ids)))).tuples().all()) if location_ids else {}
    lines = [
        JobLineRead(
            id=line.id,
            product_id=line.product_id,
            sku=skus.get(line.product_id, ""),
            batch=line.batch,
            from_location_id=line.from_location_id,
            from_location=codes.get(line.from_location_id) if line.from_location_id else None,
            to_location_id=line.to_location_id,
            to_location=codes.get(line.to_location_id) if line.to_location_id else None,
            quantity=line.quantity,
            quantity_done=line.quantity_done,
        )
        for line in sorted(job.lines, key=lambda line: line.id)
    ]
    return JobRead(
        id=job.id,
        warehouse_id=job.warehouse_id,
        type=job.type,
        status=job.status,
        assigned_to_id=job.assigned_to_id,
        pause_reason=job.pause_reason,
        note=job.note,
        reference_type=job.reference_type,
        reference_id=job.reference_id,
        priority=job.priority,
        zone=job.zone,
        created_at=job.created_at,
        assigned_at=job.assigned_at,
        started_at=job.started_at,
        finished_at=job.finished_at,
        lines=lines,
    )


async def get_job(session: AsyncSession, job_id: UUID) -> JobRead:
    """Return one job in wire form."""
    return await job_read(session, await load_job(session, job_id))


async def list_jobs(
    session: AsyncSession,
    *,
    job_type: str | None = None,
    status: str | None = None,
    assigned_to_id: UUID | None = None,
    warehouse_id: UUID | None = None,
    open_only: bool = False,
    limit: int = 100,
    offset: int = 0,
) -> list[JobRead]:
    """List jobs, newest first, filtered by type, status, assignee and warehouse."""
    if job_type is not None and job_type not in JobType.__members__:
        raise InvalidInputError(f"job type {job_type!r} is invalid: use one of {', '.join(JobType.__members__)}", field="type")
    if status is not None and status not in JobStatus.__members__:
        raise InvalidInputError(f"job status {status!r} is invalid: use one of {', '.join(JobStatus.__members__)}", field="status")
    if not 1 <= limit <= 500:
        raise InvalidInputError(f"limit {limit} is out of range: use 1 to 500", field="limit")
    statement = select(Job).options(selectinload(Job.lines)).order_by(Job.priority.desc(), Job.created_at.desc(), Job.id.desc())
    if job_type:
        statement = statement.where(Job.type == job_type)
    if status:
        statement = statement.where(Job.status == status)
    if open_only:
        statement = statement.where(Job.status.in_(OPEN_STATUSES))
    if assigned_to_id:
        statement = statement.where(Job.assigned_to_id == assigned_to_id)
    if warehouse_id:
        statement = statement.where(Job.warehouse_id == warehouse_id)
    jobs = (await session.scalars(statement.limit(limit).offset(max(offset, 0)))).all()
    return [await job_read(session, job) for job in jobs]
