"""Live job events for the job board and handhelds, published after the commit that made them."""

from __future__ import annotations

from typing import Any

import msgspec

from app.domain.jobs.schemas import JobRead
from app.domain.live.publisher import warehouse_channel
from app.lib.logging import get_logger

__all__ = ["JobEvent", "publish_job_event"]

log = get_logger(__name__)


class JobEvent(msgspec.Struct, frozen=True):
    """A job's new status or assignee; it carries no ``seq``, so clients never replay it."""

    job_id: str
    job_type: str
    status: str
    assigned_to_id: str | None
    pause_reason: str
    warehouse_id: str
    type: str = "job"


def publish_job_event(channels: Any, job: JobRead) -> None:
    """Queue a job event on its warehouse's channel; a broken backend is logged, never raised."""
    if channels is None:
        return
    event = JobEvent(
        job_id=str(job.id),
        job_type=job.type,
        status=job.status,
        assigned_to_id=str(job.assigned_to_id) if job.assigned_to_id else None,
        pause_reason=job.pause_reason,
        warehouse_id=str(job.warehouse_id),
    )
    try:
        channels.publish(msgspec.json.encode(event), [warehouse_channel(job.warehouse_id)])
    except Exception:  # the commit already happened; delivery is best effort
        log.exception("publishing a job event failed", job_id=str(job.id))
