"""Device sequence bookkeeping: next, ahead (gap), filling a gap, reused numbers."""

from __future__ import annotations

import random

from hypothesis import given
from hypothesis import strategies as st

from app.domain.sync.sequence import SeqPlacement, place_seq


def test_next_number() -> None:
    update = place_seq(3, [], 4)
    assert update.placement is SeqPlacement.NEXT
    assert update.last_seq == 4
    assert update.gaps == []


def test_ahead_opens_gap() -> None:
    update = place_seq(3, [], 7)
    assert update.placement is SeqPlacement.AHEAD
    assert update.last_seq == 7
    assert update.gaps == [[4, 6]]


def test_fill_splits_gap() -> None:
    update = place_seq(7, [[4, 6]], 5)
    assert update.placement is SeqPlacement.FILLS_GAP
    assert update.last_seq == 7
    assert update.gaps == [[4, 4], [6, 6]]


def test_fill_gap_edges() -> None:
    assert place_seq(7, [[4, 6]], 4).gaps == [[5, 6]]
    assert place_seq(7, [[4, 6]], 6).gaps == [[4, 5]]
    assert place_seq(7, [[5, 5]], 5).gaps == []


def test_reused_number() -> None:
    update = place_seq(7, [[4, 6]], 2)
    assert update.placement is SeqPlacement.REUSED
    assert update.last_seq == 7
    assert update.gaps == [[4, 6]]


def test_inputs_unchanged() -> None:
    gaps = [[4, 6]]
    place_seq(7, gaps, 5)
    assert gaps == [[4, 6]]


@given(st.lists(st.integers(min_value=1, max_value=60), unique=True, max_size=40), st.randoms())
def test_gaps_are_missing_numbers(numbers: list[int], rng: random.Random) -> None:
    rng.shuffle(numbers)
    last_seq, gaps = 0, []
    for number in numbers:
        update = place_seq(last_seq, gaps, number)
        assert update.placement is not SeqPlacement.REUSED
        last_seq, gaps = update.last_seq, update.gaps
    missing = sorted(set(range(1, max(numbers, default=0) + 1)) - set(numbers))
    listed = sorted(number for first, last in gaps for number in range(first, last + 1))
    assert last_seq == max(numbers, default=0)
    assert listed == missing
