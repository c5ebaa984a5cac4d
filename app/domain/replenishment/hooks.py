"""Session hooks that plan replenishment after a transaction takes stock out of a pick face.

``after_flush`` notes the (product, source location) of every new stock movement. Just before
the commit, ``before_commit`` plans a job for each pick face that is now below its minimum.
The job is written in the same transaction as the movement that caused it, so a rolled-back pick
leaves no job behind. Both hooks run in SQLAlchemy's synchronous layer, which is why planning
uses a synchronous Session.

NOTE: the hooks exist once this package is imported, which the app does through its routes. A
process that moves stock without building the app (a one-off script) plans no jobs; calling
``POST /api/v1/replenishment`` afterwards catches up.
"""

from __future__ import annotations

from sqlalchemy import event
from sqlalchemy.orm import Session

from app.db.models import StockMovement
from app.lib.logging import get_logger

__all__ = ["CANDIDATES_KEY"]

log = get_logger(__name__)

CANDIDATES_KEY = "replenishment_candidates"


@event.listens_for(Session, "after_flush")
def _collect_candidates(session: Session, _flush_context) -> None:  # type: ignore[no-untyped-def]
    for instance in session.new:
        if isinstance(instance, StockMovement) and instance.from_location_id is not None:
            session.info.setdefault(CANDIDATES_KEY, set()).add((instance.product_id, instance.from_location_id))


@event.listens_for(Session, "before_commit")
def _plan_replenishment(session: Session) -> None:
    candidates = session.info.pop(CANDIDATES_KEY, None)
    if not candidates:
        return
    from app.domain.replenishment.planning import plan_for_pick_face

    for product_id, location_id in sorted(candidates, key=str):
        plan_for_pick_face(session, product_id, location_id)


@event.listens_for(Session, "after_rollback")
def _forget_candidates(session: Session) -> None:
    session.info.pop(CANDIDATES_KEY, None)
