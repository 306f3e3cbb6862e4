"""Provenance: the manifest (the audit contract), its signature, C2PA credentials in every
output, the disclosure track, the audit report and `verify`."""
