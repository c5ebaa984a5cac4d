"""Inbound: purchase orders, receiving and putaway."""
