"""Warehouse jobs: creation, assignment, pause and resume, and progress recorded by scans."""

from app.domain.jobs.actor import Actor
from app.domain.jobs.services import (
    JobLineSpec,
    assign_job,
    cancel_job,
    complete_job,
    create_job,
    fail_job,
    get_job,
    list_jobs,
    pause_job,
    record_line_progress,
    resume_job,
    start_job,
)

__all__ = [
    "Actor",
    "JobLineSpec",
    "assign_job",
    "cancel_job",
    "complete_job",
    "create_job",
    "fail_job",
    "get_job",
    "list_jobs",
    "pause_job",
    "record_line_progress",
    "resume_job",
    "start_job",
]
