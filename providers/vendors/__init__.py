"""Vendor adapters and what they share: the HTTP engine, its error table, its URL guards.

`builtin.ADAPTERS` lists the adapter classes; each class carries its vendor id and settings
type, so the registry builds them without repeating either.
"""
