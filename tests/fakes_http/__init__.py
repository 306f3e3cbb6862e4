"""Faithful fake vendor HTTP servers on loopback (see /work/shared/provider-apis.md)."""
