"""Starshipit webhook receivers: signature checks, the event log and exactly-once delivery."""
