"""The ledger (SQLAlchemy 2 async, Alembic migrations) and the blob store.

The ledger is the truth about renders: the queue only says "work on render R", and the files
live behind `blobs.BlobStore`. SQLite in the data folder is the embedded default; PostgreSQL
(asyncpg) serves many machines (`REELROUTE_DATABASE_URL`).
"""
