"""Provenance: the per-render manifest (the audit contract) and the disclosure track."""
