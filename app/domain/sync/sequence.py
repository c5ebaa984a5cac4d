"""Bookkeeping of one device's sequence numbers: the highest stored and the gaps below it.

A device numbers its commands 1, 2, 3, ... when it captures them. The server stores every command
it applies or rejects and keeps, per device, ``last_seq`` (the highest number stored) and ``gaps``
(inclusive ``[first, last]`` ranges below ``last_seq`` that never arrived). A number above
``last_seq`` + 1 opens a gap without waiting for it; a number inside a gap closes that part of it;
a number at or below ``last_seq`` that is not in a gap was already used by another command.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

__all__ = ["SeqPlacement", "SeqUpdate", "place_seq"]


class SeqPlacement(StrEnum):
    NEXT = "next"
    AHEAD = "ahead"  # numbers between last_seq and this one are missing
    FILLS_GAP = "fills_gap"
    REUSED = "reused"  # another command already uses this number


@dataclass(frozen=True)
class SeqUpdate:
    placement: SeqPlacement
    last_seq: int
    gaps: list[list[int]]


def place_seq(last_seq: int, gaps: list[list[int]], seq: int) -> SeqUpdate:
    """Return where ``seq`` falls and the bookkeeping after storing it. Inputs are not modified."""
    if seq == last_seq + 1:
        return SeqUpdate(SeqPlacement.NEXT, seq, [list(gap) for gap in gaps])
    if seq > last_seq + 1:
        return SeqUpdate(SeqPlacement.AHEAD, seq, [*(list(gap) for gap in gaps), [last_seq + 1, seq - 1]])

    remaining: list[list[int]] = []
    filled = False
    for first, last in gaps:
        if first <= seq <= last:
            filled = True
            if first < seq:
                remaining.append([first, seq - 1])
            if seq < last:
                remaining.append([seq + 1, last])
        else:
            remaining.append([first, last])
    if not filled:
        return SeqUpdate(SeqPlacement.REUSED, last_seq, [list(gap) for gap in gaps])
    return SeqUpdate(SeqPlacement.FILLS_GAP, last_seq, remaining)
