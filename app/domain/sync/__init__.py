"""Scan commands from devices, applied exactly once and in device order (offline sync)."""
