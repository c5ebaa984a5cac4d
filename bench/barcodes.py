"""Barcode interpretation speed: ``interpret`` against calling ``biip.parse`` on the same strings.

The mix imitates a receiving and picking shift. It has bare EAN-13/UPC-A/GTIN-14 product scans,
GS1-128 and GS1 DataMatrix labels (GTIN, expiry, batch, serial, some with a net weight) and SSCC
pallet labels. It also has location and tote codes, hand-typed bracketed GS1, and a few broken
scans (missing separator, bad check digit). Each run interprets every string with the WMS interpreter, then
passes the same strings (symbology identifier included) to ``biip.parse`` with ASCII 29 as the
separator. ``interpret`` calls biip for each element string and adds separator, check-digit and
date checks; ``biip.parse`` instead runs every parser it has (GS1 message, GTIN, SSCC, UPC) on data
without a symbology identifier and looks up GS1 prefixes. The ratio compares the two on one
machine in one run; rates alone depend on the machine and its load.

Usage: python bench/barcodes.py [--count 20000] [--repeat 3] [--seed 1]
"""

from __future__ import annotations

import argparse
import os
import platform
import random
import sys
import time
from collections import Counter
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import biip  # noqa: E402
from biip import ParseConfig  # noqa: E402

from app.domain.barcodes.errors import BarcodeError  # noqa: E402
from app.domain.barcodes.gs1 import check_digit  # noqa: E402
from app.domain.barcodes.interpret import interpret  # noqa: E402

GS = "\x1d"
CSET82 = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-"


def gtin(rng: random.Random, length: int) -> str:
    body = "".join(rng.choice("0123456789") for _ in range(length - 1))
    return body + str(check_digit(body))


def label_date(rng: random.Random) -> str:
    return f"{rng.randint(24, 30):02d}{rng.randint(1, 12):02d}{rng.choice(['00', f'{rng.randint(1, 28):02d}'])}"


def text(rng: random.Random, low: int, high: int) -> str:
    return "".join(rng.choice(CSET82) for _ in range(rng.randint(low, high)))


def make_mix(count: int, seed: int) -> list[str]:
    """Build ``count`` scans in the proportions of a typical shift."""
    rng = random.Random(seed)
    scans: list[str] = []
    for _ in range(count):
        roll = rng.random()
        if roll < 0.35:
            scans.append(gtin(rng, rng.choice([12, 13, 13, 14])))
        elif roll < 0.60:
            scans.append("]C101" + gtin(rng, 14) + "17" + label_date(rng) + "10" + text(rng, 3, 10) + GS + "21" + text(rng, 5, 12))
        elif roll < 0.70:
            scans.append("]d201" + gtin(rng, 14) + "3103" + f"{rng.randint(0, 99999):06d}" + "10" + text(rng, 3, 8))
        elif roll < 0.75:
            scans.append("]C100" + gtin(rng, 18))
        elif roll < 0.90:
            scans.append(rng.choice(["A", "B", "C"]) + f"-{rng.randint(1, 40):02d}-{rng.randint(1, 9):02d}")
        elif roll < 0.93:
            scans.append(f"TOTE-{rng.randint(1, 300):03d}")
        elif roll < 0.96:
            scans.append("(01)" + gtin(rng, 14) + "(10)" + text(rng, 2, 8))
        elif roll < 0.98:
            scans.append("01" + gtin(rng, 14) + "10" + text(rng, 20, 20) + "17" + label_date(rng))
        else:
            body = gtin(rng, 13)
            scans.append(body[:-1] + str((int(body[-1]) + 1) % 10))
    return scans


def run_interpret(scans: list[str]) -> Counter[str]:
    kinds: Counter[str] = Counter()
    for scan in scans:
        try:
            kinds[interpret(scan).kind] += 1
        except BarcodeError as exc:
            kinds["error:" + exc.code] += 1
    return kinds


BIIP_CONFIG = ParseConfig(separator_chars=(GS,))


def run_biip(scans: list[str]) -> Counter[str]:
    kinds: Counter[str] = Counter()
    for scan in scans:
        try:
            result = biip.parse(scan, config=BIIP_CONFIG)
        except biip.ParseError:
            kinds["error"] += 1
            continue
        kinds["parsed" if (result.gtin or result.gs1_message or result.sscc) else "unparsed"] += 1
    return kinds


def best_rate(function: Callable[[list[str]], Counter[str]], scans: list[str], repeat: int) -> tuple[float, Counter[str]]:
    """Return the best scans-per-second over ``repeat`` runs, and the outcome counts."""
    best = 0.0
    outcome: Counter[str] = Counter()
    for _ in range(repeat):
        started = time.perf_counter()
        outcome = function(scans)
        elapsed = time.perf_counter() - started
        best = max(best, len(scans) / elapsed)
    return best, outcome


def describe_machine() -> str:
    model = platform.processor() or "unknown CPU"
    cpuinfo = Path("/proc/cpuinfo")
    if cpuinfo.exists():
        for line in cpuinfo.read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    load = f", load average (1 min) {os.getloadavg()[0]:.2f}" if hasattr(os, "getloadavg") else ""
    return f"{model}, {os.cpu_count()} CPUs, {platform.system()} {platform.release()}, Python {platform.python_version()}, biip {biip.__version__}{load}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=20000, help="number of scans in the mix")
    parser.add_argument("--repeat", type=int, default=3, help="runs of each interpreter; the best counts")
    parser.add_argument("--seed", type=int, default=1, help="random seed of the mix")
    args = parser.parse_args()

    scans = make_mix(args.count, args.seed)
    ours, our_kinds = best_rate(run_interpret, scans, args.repeat)
    ceiling, biip_kinds = best_rate(run_biip, scans, args.repeat)
    print(f"scans: {len(scans)}, best of {args.repeat} runs")
    print(f"interpret:  {ours:10.0f} scans/s  {dict(sorted(our_kinds.items()))}")
    print(f"biip.parse: {ceiling:10.0f} scans/s  {dict(sorted(biip_kinds.items()))}")
    print(f"ratio interpret / biip.parse: {ours / ceiling:.2f}")
    print(f"machine: {describe_machine()}")


if __name__ == "__main__":
    main()
