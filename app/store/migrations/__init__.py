"""Alembic migrations of the ledger, applied in order on start."""
