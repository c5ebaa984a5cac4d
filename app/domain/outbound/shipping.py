"""Shipping a packed parcel: ask Starshipit for the shipment and label, store the outcome.

Shipping calls Starshipit outside any database transaction. The session is marked SHIPPING first
(so a second packer cannot ship it too), then the request is sent, and the outcome (label and tracking,
or Starshipit's error for the packer) is stored in a second transaction.
"""

from __future__ import annotations

import base64
from dataclasses import dataclass
from uuid import UUID

from sqlalchemy.ext.asyncio import AsyncSession

from app.db import Database
from app.db.models import Account, Job, JobStatus, Order, PackSession, PackSessionStatus
from app.domain.jobs.actor import Actor
from app.domain.jobs.services import FINISHED_STATUSES
from app.domain.outbound.packing import load_pack_session, unpacked_units
from app.lib.errors import ConflictError, InvalidInputError
from app.lib.logging import get_logger
from app.lib.timeutil import utcnow
from app.starshipit.client import StarshipitError, client_for_account

__all__ = ["ShipResult", "reopen_pack_session", "ship_pack_session"]

log = get_logger(__name__)


@dataclass
class ShipResult:
    """The label and tracking numbers Starshipit returned."""

    session_id: UUID
    order_number: str
    tracking_numbers: list[str]
    carrier_name: str
    label_pdf_base64: str

    def as_dict(self) -> dict:
        return {
            "session_id": str(self.session_id),
            "order_number": self.order_number,
            "tracking_numbers": self.tracking_numbers,
            "carrier_name": self.carrier_name,
            "label_pdf_base64": self.label_pdf_base64,
            "label_url": f"/api/v1/pack/sessions/{self.session_id}/label.pdf",
        }


def _shipment_body(order: Order, pack_session: PackSession) -> dict:
    try:
        starshipit_id: int | str = int(order.starshipit_order_id)
    except ValueError:
        starshipit_id = order.starshipit_order_id
    dims = list(pack_session.dimensions_m or [])
    package: dict = {"package_name": pack_session.packaging or "", "weight": pack_session.weight_kg or 0}
    if len(dims) == 3:
        package.update({"length": dims[0], "width": dims[1], "height": dims[2]})
    return {
        "order_id": starshipit_id,
        "order_number": order.order_number,
        "reprint": False,
        "packages": [package],
        "items": [{"sku": sku, "quantity": units} for sku, units in sorted((pack_session.packed or {}).items())],
    }


async def ship_pack_session(
    db: Database,
    session_id: UUID,
    *,
    packaging: str,
    weight_kg: float,
    dimensions_m: list[float] | None,
    actor: Actor,
    starshipit_base_url: str,
    account_id: UUID | None = None,
    timeout_seconds: float = 10.0,
) -> ShipResult:
    """Create the Starshipit shipment for the units packed in a session and return the label.

    Partial packing ships what is packed; the rest of the order stays to be packed. Starshipit's
    errors are raised as :class:`StarshipitError` with its message for the packer, and the session
    returns to OPEN so the packer can fix the cause and try again.
    """
    if weight_kg is None or weight_kg <= 0:
        raise InvalidInputError(f"weight {weight_kg} kg is invalid: weigh the parcel", field="weight_kg")
    if dimensions_m and (len(dimensions_m) != 3 or any(d <= 0 for d in dimensions_m)):
        raise InvalidInputError("dimensions must be three positive lengths in metres: [length, width, height]", field="dimensions_m")

    async with db.transaction() as session:
        pack_session = await load_pack_session(session, session_id, account_id=account_id, for_update=True)
        if pack_session.status == PackSessionStatus.LABELLED:
            raise ConflictError("this parcel already has a label: reprint it instead of shipping again", code="already_labelled")
        if pack_session.status != PackSessionStatus.OPEN:
            # A server that died between the two transactions leaves the session SHIPPING; a supervisor
            # checks Starshipit and reopens it with reopen_pack_session.
            raise ConflictError(f"pack session is {pack_session.status}: it cannot ship now", code="pack_session_not_open")
        if not pack_session.packed:
            raise ConflictError("nothing is packed yet: scan the units first", code="nothing_packed")
        order = await session.get(Order, pack_session.order_id)
        account = await session.get(Account, pack_session.account_id)
        assert order is not None and account is not None
        pack_session.status = PackSessionStatus.SHIPPING
        pack_session.packaging = packaging.strip()[:80]
        pack_session.weight_kg = weight_kg
        pack_session.dimensions_m = list(dimensions_m or [])
        body = _shipment_body(order, pack_session)
        client = client_for_account(account, starshipit_base_url, timeout_seconds=timeout_seconds)
        order_number = order.order_number

    log.info("creating starshipit shipment", session_id=str(session_id), order_number=order_number, account=account.code)
    try:
        async with client:
            reply = await client.create_shipment(body)
    except StarshipitError as exc:
        async with db.transaction() as session:
            pack_session = await load_pack_session(session, session_id, for_update=True)
            pack_session.status = PackSessionStatus.OPEN
            pack_session.last_error = exc.message[:2000]
        exc.detail["session_id"] = str(session_id)
        raise

    tracking = [str(number) for number in reply.get("tracking_numbers") or [] if number]
    labels = [str(label) for label in reply.get("labels") or [] if label]
    label = labels[0] if labels else ""
    if label:
        try:
            base64.b64decode(label, validate=True)
        except ValueError:
            label = ""
    async with db.transaction() as session:
        pack_session = await load_pack_session(session, session_id, for_update=True)
        pack_session.status = PackSessionStatus.LABELLED
        pack_session.tracking_numbers = tracking
        pack_session.carrier_name = str(reply.get("carrier_name") or "")[:80]
        pack_session.label_pdf_base64 = label
        pack_session.last_error = "" if label else "Starshipit returned no label: reprint it from Starshipit"
        pack_session.labelled_at = utcnow()
        remaining = await unpacked_units(session, pack_session.order_id, pack_session.bench_location_id)
        if pack_session.job_id and not remaining:
            job = await session.get(Job, pack_session.job_id)
            if job is not None and job.status not in FINISHED_STATUSES:
                job.status = JobStatus.COMPLETED.value
                job.finished_at = utcnow()
    log.info("shipment created", session_id=str(session_id), order_number=order_number, tracking=",".join(tracking))
    return ShipResult(
        session_id=session_id,
        order_number=order_number,
        tracking_numbers=tracking,
        carrier_name=str(reply.get("carrier_name") or ""),
        label_pdf_base64=label,
    )


async def reopen_pack_session(session: AsyncSession, session_id: UUID, *, account_id: UUID | None = None) -> PackSession:
    """Put a session stuck in SHIPPING back to OPEN, after a supervisor checked Starshipit has no shipment for it."""
    pack_session = await load_pack_session(session, session_id, account_id=account_id, for_update=True)
    if pack_session.status != PackSessionStatus.SHIPPING:
        raise ConflictError(f"pack session is {pack_session.status}, not SHIPPING: there is nothing to reopen", code="pack_session_not_shipping")
    pack_session.status = PackSessionStatus.OPEN
    pack_session.last_error = "reopened by a supervisor after an interrupted shipment request"
    await session.flush()
    log.warning("pack session reopened", session_id=str(session_id), order_id=str(pack_session.order_id))
    return pack_session
