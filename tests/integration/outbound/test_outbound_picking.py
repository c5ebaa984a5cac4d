"""Picking (single, batch, short) and pack-bench verification against a real database."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from app.db.models import Discrepancy, Job, JobLine, JobStatus, JobType, Location, LocationType, StockMovement
from app.domain.outbound.packing import open_pack_session, pack_item
from app.domain.outbound.picking import confirm_pick
from app.domain.outbound.release import create_batch_pick_job, release_order
from app.lib.errors import DomainError
from tests.factories import Seed, add_stock
from tests.integration.outbound.kit import (
    assert_ledger_ok,
    balance,
    create_order,
    load_order,
    operator_actor,
    pick_job_of,
    set_mode,
)

pytestmark = pytest.mark.anyio


async def _released(db, seed: Seed, number: str, lines: list[tuple[str, int]]):
    order_id = await create_order(db, seed, number, lines)
    async with db.transaction() as session:
        await release_order(session, order_id)
    return order_id, (await pick_job_of(db, order_id)).id


async def _pick(db, seed: Seed, job_id, item: str, quantity: int, location: str | None = None, tote: str | None = None, short: str | None = None):
    async with db.transaction() as session:
        return await confirm_pick(
            session, job_id=job_id, item_scan=item, quantity=quantity, actor=operator_actor(seed), location_scan=location, tote_scan=tote, short_reason=short
        )


async def _code_of_failure(coro) -> str:
    with pytest.raises(DomainError) as caught:
        await coro
    return caught.value.code


@pytest.mark.postgres
async def test_pick_single_order(db, seed: Seed, db_backend: str) -> None:
    await set_mode(db, seed, "full")
    await add_stock(db, seed, "SKU-A", "A-01-01", 5)
    await add_stock(db, seed, "SKU-B", "B-01-01", 2)
    order_id, job_id = await _released(db, seed, "3001", [("SKU-A", 2), ("SKU-B", 1)])

    assert await _code_of_failure(_pick(db, seed, job_id, "SKU-A", 2, tote="TOTE-01")) == "location_scan_required"
    assert await _code_of_failure(_pick(db, seed, job_id, "SKU-A", 2, location="B-01-01", tote="TOTE-01")) == "wrong_location"
    assert await _code_of_failure(_pick(db, seed, job_id, "SKU-A", 2, location="A-01-01")) == "tote_required"
    assert await _code_of_failure(_pick(db, seed, job_id, "SKU-C", 1, location="A-01-01", tote="TOTE-01")) == "wrong_item"
    assert await _code_of_failure(_pick(db, seed, job_id, "SKU-A", 3, location="A-01-01", tote="TOTE-01")) == "quantity_too_high"

    first = await _pick(db, seed, job_id, "05400000002649", 2, location="A-01-01", tote="TOTE-01")
    assert first.tote == "TOTE-01"
    assert first.order_picked is False
    assert await balance(db, seed, "SKU-A", "A-01-01") == (3, 0)
    assert await balance(db, seed, "SKU-A", "TOTE-01") == (2, 0)

    second = await _pick(db, seed, job_id, "SKU-B", 1, location="B-01-01")
    assert second.tote == "TOTE-01"
    assert second.order_picked is True
    assert second.job_status == JobStatus.COMPLETED.value
    _order, lines = await load_order(db, order_id)
    assert [(line.quantity_allocated, line.quantity_picked) for line in lines] == [(0, 2), (0, 1)]
    async with db.read() as session:
        pack_jobs = (await session.scalars(select(Job).where(Job.order_id == order_id, Job.type == JobType.PACK.value))).all()
        picks = await session.scalar(select(func.count()).select_from(StockMovement).where(StockMovement.reason == "pick"))
    assert len(pack_jobs) == 1
    assert picks == 2
    await assert_ledger_ok(db)


@pytest.mark.postgres
async def test_pick_short_reallocates(db, seed: Seed, db_backend: str) -> None:
    await set_mode(db, seed, "full")
    await add_stock(db, seed, "SKU-A", "A-01-01", 2)
    await add_stock(db, seed, "SKU-A", "B-01-01", 5)
    order_id, job_id = await _released(db, seed, "3002", [("SKU-A", 4)])
    result = await _pick(db, seed, job_id, "SKU-A", 1, location="A-01-01", tote="TOTE-01", short="bin holds only one")
    assert result.short == 1
    assert result.reallocated == [{"location": "B-01-01", "batch": "", "quantity": 1}]
    assert result.left_short == 0
    async with db.read() as session:
        count_job = await session.get(Job, result.cycle_count_job_id)
        count_line = await session.scalar(select(JobLine).where(JobLine.job_id == count_job.id))
        bin_id = await session.scalar(select(Location.id).where(Location.code == "A-01-01"))
        discrepancy = await session.scalar(select(Discrepancy).where(Discrepancy.kind == "short_pick"))
    assert count_job.type == JobType.CYCLE_COUNT.value
    assert count_line.from_location_id == bin_id
    assert discrepancy.quantity == 1
    assert await balance(db, seed, "SKU-A", "A-01-01") == (1, 0)
    assert await balance(db, seed, "SKU-A", "B-01-01") == (5, 3)
    await _pick(db, seed, job_id, "SKU-A", 2, location="B-01-01")
    last = await _pick(db, seed, job_id, "SKU-A", 1, location="B-01-01")
    assert last.order_picked is True
    assert await balance(db, seed, "SKU-A", "TOTE-01") == (4, 0)
    await assert_ledger_ok(db)


async def test_pick_short_left_short(db, seed: Seed) -> None:
    await set_mode(db, seed, "full")
    await add_stock(db, seed, "SKU-A", "A-01-01", 2)
    order_id, job_id = await _released(db, seed, "3003", [("SKU-A", 2)])
    result = await _pick(db, seed, job_id, "SKU-A", 0, location="A-01-01", tote="TOTE-01", short="bin empty")
    assert result.left_short == 2
    assert result.warnings == ["2 SKU-A left short on order 3003: no other location holds them"]
    assert result.job_status == JobStatus.COMPLETED.value
    _order, lines = await load_order(db, order_id)
    assert (lines[0].quantity_allocated, lines[0].quantity_picked) == (0, 0)
    assert await balance(db, seed, "SKU-A", "A-01-01") == (2, 0)
    await assert_ledger_ok(db)


async def test_pick_batch_two_totes(db, seed: Seed) -> None:
    await set_mode(db, seed, "full")
    async with db.transaction() as session:
        tote = Location(warehouse_id=seed.warehouse_id, code="TOTE-02", barcode="TOTE-02", type=LocationType.TOTE.value, zone="", pick_sequence=0)
        session.add(tote)
        await session.flush()
        seed.locations["TOTE-02"] = tote.id
    await add_stock(db, seed, "SKU-A", "A-01-01", 5)
    await add_stock(db, seed, "SKU-B", "B-01-01", 5)
    first_id, _ = await _released(db, seed, "3101", [("SKU-A", 1), ("SKU-B", 2)])
    second_id, _ = await _released(db, seed, "3102", [("SKU-A", 2), ("SKU-B", 1)])
    async with db.transaction() as session:
        job = await create_batch_pick_job(session, [first_id, second_id])
        job_id = job.id
    one = await _pick(db, seed, job_id, "SKU-A", 1, location="A-01-01", tote="TOTE-01")
    two = await _pick(db, seed, job_id, "SKU-A", 2, location="A-01-01", tote="TOTE-02")
    assert {one.order_number: one.tote, two.order_number: two.tote} == {"3101": "TOTE-01", "3102": "TOTE-02"}
    assert await _code_of_failure(_pick(db, seed, job_id, "SKU-B", 2, location="B-01-01", tote="TOTE-02")) == "quantity_too_high"
    await _pick(db, seed, job_id, "SKU-B", 1, location="B-01-01", tote="TOTE-02")
    last = await _pick(db, seed, job_id, "SKU-B", 2, location="B-01-01", tote="TOTE-01")
    assert last.job_status == JobStatus.COMPLETED.value
    assert await balance(db, seed, "SKU-A", "TOTE-01") == (1, 0)
    assert await balance(db, seed, "SKU-B", "TOTE-01") == (2, 0)
    assert await balance(db, seed, "SKU-A", "TOTE-02") == (2, 0)
    assert await balance(db, seed, "SKU-B", "TOTE-02") == (1, 0)
    async with db.read() as session:
        old = (await session.scalars(select(Job.status).where(Job.order_id.in_([first_id, second_id]), Job.type == JobType.PICK.value))).all()
    assert sorted(old) == ["CANCELLED", "CANCELLED"]
    await assert_ledger_ok(db)


async def test_pack_verifies_units(db, seed: Seed) -> None:
    await set_mode(db, seed, "full")
    await add_stock(db, seed, "SKU-A", "A-01-01", 5)
    await add_stock(db, seed, "SKU-B", "B-01-01", 2)
    order_id, job_id = await _released(db, seed, "3201", [("SKU-A", 2), ("SKU-B", 1)])
    await _pick(db, seed, job_id, "SKU-A", 2, location="A-01-01", tote="TOTE-01")
    await _pick(db, seed, job_id, "SKU-B", 1, location="B-01-01")
    actor = operator_actor(seed)

    async def pack(item: str, quantity: int):
        async with db.transaction() as session:
            pack_session = await open_pack_session(session, scan="TOTE-01", actor=actor)
            return await pack_item(session, pack_session, item_scan=item, quantity=quantity, actor=actor)

    assert await _code_of_failure(pack("SKU-C", 1)) == "wrong_item"
    assert await _code_of_failure(pack("SKU-A", 3)) == "extra_unit"
    progress = await pack("SKU-A", 1)
    assert progress.expected == {"SKU-A": 1, "SKU-B": 1}
    assert progress.packed == {"SKU-A": 1}
    await pack("SKU-A", 1)
    done = await pack("SKU-B", 1)
    assert done.complete is True
    assert await balance(db, seed, "SKU-A", "PACK-01") == (2, 0)
    assert await balance(db, seed, "SKU-B", "PACK-01") == (1, 0)
    assert await balance(db, seed, "SKU-A", "TOTE-01") == (0, 0)
    async with db.transaction() as session:
        pack_session = await open_pack_session(session, scan="3201", actor=actor)
        with pytest.raises(DomainError) as caught:
            await pack_item(session, pack_session, item_scan="SKU-A", quantity=1, actor=actor)
    assert caught.value.code == "extra_unit"
    await assert_ledger_ok(db)


async def test_pick_tracked_products(db, seed: Seed) -> None:
    from app.db.models import Batch, Product

    await set_mode(db, seed, "full")
    async with db.transaction() as session:
        batched = await session.get(Product, seed.products["SKU-B"])
        batched.tracking = "BATCH"
        session.add(Batch(product_id=batched.id, code="L1", expiry=None))
        serial = await session.get(Product, seed.products["SKU-C"])
        serial.tracking = "SERIAL"
    await add_stock(db, seed, "SKU-B", "A-01-01", 3, batch="L1")
    await add_stock(db, seed, "SKU-C", "A-01-02", 1)
    _order_id, job_id = await _released(db, seed, "3301", [("SKU-B", 2), ("SKU-C", 1)])
    assert await _code_of_failure(_pick(db, seed, job_id, "SKU-B", 2, location="A-01-01", tote="TOTE-01")) == "batch_required"
    async with db.transaction() as session:
        with pytest.raises(DomainError) as caught:
            await confirm_pick(
                session, job_id=job_id, item_scan="SKU-B", quantity=2, actor=operator_actor(seed), location_scan="A-01-01", tote_scan="TOTE-01", batch="L9"
            )
    assert caught.value.code == "wrong_batch"
    async with db.transaction() as session:
        result = await confirm_pick(
            session, job_id=job_id, item_scan="SKU-B", quantity=2, actor=operator_actor(seed), location_scan="A-01-01", tote_scan="TOTE-01", batch="L1"
        )
    assert result.batch == "L1"
    assert await balance(db, seed, "SKU-B", "TOTE-01", "L1") == (2, 0)
    assert await _code_of_failure(_pick(db, seed, job_id, "SKU-C", 1, location="A-01-02")) == "serial_required"
    await assert_ledger_ok(db)


async def test_pick_gs1_batch_scan(db, seed: Seed) -> None:
    """The batch printed in a GS1 label (AI 10) selects the allocated batch without typing it."""
    from app.db.models import Product

    await set_mode(db, seed, "full")
    async with db.transaction() as session:
        (await session.get(Product, seed.products["SKU-A"])).tracking = "BATCH"
    await add_stock(db, seed, "SKU-A", "A-01-01", 2, batch="L1")
    _order_id, job_id = await _released(db, seed, "3401", [("SKU-A", 1)])
    result = await _pick(db, seed, job_id, "010540000000264910L1", 1, location="A-01-01", tote="TOTE-01")
    assert result.sku == "SKU-A"
    assert result.batch == "L1"
    assert await balance(db, seed, "SKU-A", "TOTE-01", "L1") == (1, 0)
