"""Job endpoints: the job board, assignment, start, pause with a reason, resume, complete, cancel."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from litestar import Controller, Request, get, post
from litestar.datastructures import State
from litestar.params import FromPath, FromQuery

from app.domain.auth.guards import requires_supervisor
from app.domain.auth.schemas import AuthUser
from app.domain.jobs import services
from app.domain.jobs.actor import Actor
from app.domain.jobs.events import publish_job_event
from app.domain.jobs.schemas import JobAssign, JobPause, JobRead, JobReason
from app.lib.deps import DatabaseDep
from app.lib.wire import decode_body

__all__ = ["JobController"]


class JobController(Controller):
    path = "/api/v1/jobs"
    tags = ["jobs"]

    @get("/", operation_id="ListJobs", cache=False)
    async def list_jobs(
        self,
        db: DatabaseDep,
        type: FromQuery[str | None] = None,  # noqa: A002 - the query parameter's public name
        status: FromQuery[str | None] = None,
        assigned_to_id: FromQuery[UUID | None] = None,
        warehouse_id: FromQuery[UUID | None] = None,
        open_only: FromQuery[bool] = False,
        limit: FromQuery[int] = 100,
        offset: FromQuery[int] = 0,
    ) -> list[JobRead]:
        """List jobs by priority and age, filtered by type, status, assignee or warehouse."""
        async with db.read() as session:
            return await services.list_jobs(
                session, job_type=type, status=status, assigned_to_id=assigned_to_id, warehouse_id=warehouse_id, open_only=open_only, limit=limit, offset=offset
            )

    @get("/{job_id:uuid}", operation_id="GetJob", cache=False)
    async def get_job(self, db: DatabaseDep, job_id: FromPath[UUID]) -> JobRead:
        """Return one job with its lines."""
        async with db.read() as session:
            return await services.get_job(session, job_id)

    @post("/{job_id:uuid}/assign", operation_id="AssignJob", status_code=200)
    async def assign(self, request: Request[AuthUser, Any, State], db: DatabaseDep, job_id: FromPath[UUID]) -> JobRead:
        """Assign a job (supervisors: to anyone; operators: claim it for themselves)."""
        body = decode_body(await request.body() or b"{}", JobAssign)
        async with db.transaction() as session:
            job = await services.job_read(session, await services.assign_job(session, job_id, actor=Actor(request.user), user_id=body.user_id, username=body.username))
        publish_job_event(request.app.state.channels, job)
        return job

    @post("/{job_id:uuid}/start", operation_id="StartJob", status_code=200)
    async def start(self, request: Request[AuthUser, Any, State], db: DatabaseDep, job_id: FromPath[UUID]) -> JobRead:
        """Start a job."""
        async with db.transaction() as session:
            job = await services.job_read(session, await services.start_job(session, job_id, actor=Actor(request.user)))
        publish_job_event(request.app.state.channels, job)
        return job

    @post("/{job_id:uuid}/pause", operation_id="PauseJob", status_code=200)
    async def pause(self, request: Request[AuthUser, Any, State], db: DatabaseDep, job_id: FromPath[UUID]) -> JobRead:
        """Pause a job with a mandatory reason."""
        body = decode_body(await request.body(), JobPause)
        async with db.transaction() as session:
            job = await services.job_read(session, await services.pause_job(session, job_id, actor=Actor(request.user), reason=body.reason))
        publish_job_event(request.app.state.channels, job)
        return job

    @post("/{job_id:uuid}/resume", operation_id="ResumeJob", status_code=200)
    async def resume(self, request: Request[AuthUser, Any, State], db: DatabaseDep, job_id: FromPath[UUID]) -> JobRead:
        """Resume a paused job."""
        async with db.transaction() as session:
            job = await services.job_read(session, await services.resume_job(session, job_id, actor=Actor(request.user)))
        publish_job_event(request.app.state.channels, job)
        return job

    @post("/{job_id:uuid}/complete", operation_id="CompleteJob", status_code=200)
    async def complete(self, request: Request[AuthUser, Any, State], db: DatabaseDep, job_id: FromPath[UUID]) -> JobRead:
        """Complete a job; unfinished lines need ``force`` from a supervisor."""
        body = decode_body(await request.body() or b"{}", JobReason)
        async with db.transaction() as session:
            job = await services.job_read(session, await services.complete_job(session, job_id, actor=Actor(request.user), force=body.force))
        publish_job_event(request.app.state.channels, job)
        return job

    @post("/{job_id:uuid}/fail", operation_id="FailJob", status_code=200)
    async def fail(self, request: Request[AuthUser, Any, State], db: DatabaseDep, job_id: FromPath[UUID]) -> JobRead:
        """Mark a job FAILED with a reason."""
        body = decode_body(await request.body(), JobReason)
        async with db.transaction() as session:
            job = await services.job_read(session, await services.fail_job(session, job_id, actor=Actor(request.user), reason=body.reason))
        publish_job_event(request.app.state.channels, job)
        return job

    @post("/{job_id:uuid}/cancel", operation_id="CancelJob", status_code=200, guards=[requires_supervisor])
    async def cancel(self, request: Request[AuthUser, Any, State], db: DatabaseDep, job_id: FromPath[UUID]) -> JobRead:
        """Cancel a job (supervisor)."""
        body = decode_body(await request.body() or b"{}", JobReason)
        async with db.transaction() as session:
            job = await services.job_read(session, await services.cancel_job(session, job_id, actor=Actor(request.user), reason=body.reason))
        publish_job_event(request.app.state.channels, job)
        return job
