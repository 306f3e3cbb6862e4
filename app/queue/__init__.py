"""The render queue: an interface, with the in-process runner as the embedded default.

The queue only says "work on render R"; the ledger says what has been done, so a job that is
lost can be found again from the ledger. The scale-out issue adds arq on Redis.
"""
