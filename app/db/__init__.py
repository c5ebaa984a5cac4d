"""Database engines, transactions, models and migrations."""

from app.db.engine import Database

__all__ = ["Database"]
