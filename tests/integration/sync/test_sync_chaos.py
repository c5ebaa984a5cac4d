"""A small seeded chaos run: flaky proxy, duplicated and late requests, SIGKILLed server."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[3]

pytestmark = pytest.mark.anyio


def load_chaos_module():
    # bench/ is a folder of scripts, not a package: load the script as the benchmark itself does.
    sys.path.insert(0, str(ROOT / "bench"))
    spec = importlib.util.spec_from_file_location("chaos_sync", ROOT / "bench" / "chaos_sync.py")
    module = importlib.util.module_from_spec(spec)
    # Dataclasses look their module up in sys.modules while the script is executed.
    sys.modules["chaos_sync"] = module
    spec.loader.exec_module(module)
    return module


async def test_chaos_small_run() -> None:
    chaos = load_chaos_module()
    outcome = await chaos.run_chaos(devices_count=4, commands=30, kills=2, seed=7, batch_size=10, drop=0.25, duplicate=0.2, hold_back=0.15)
    assert outcome["lost"] == 0
    assert outcome["doubled"] == 0
    assert outcome["balance_mismatches"] == 0
    assert outcome["verify_violations"] == []
    assert outcome["stored"] == 120
    assert outcome["restarts"] == 2
