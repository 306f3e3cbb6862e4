"""The render queue: an interface, with the in-process runner as the embedded default.

The queue only says "work on render R" (or, on Redis, "work on step S of render R"); the ledger
says what has been done, so a job that is lost can be found again from the ledger.

- `inprocess`: renders run as tasks in `reelroute serve` (no Redis, the default).
- `arq_queue`: `REELROUTE_REDIS_URL` set: the API enqueues and `reelroute worker`s run one job
  per scene and one composition job (`work`), under leases in the ledger (`app.store.leases`).
- `identity`: every worker signs with the deployment's configured key (`key_mismatch`).
"""
