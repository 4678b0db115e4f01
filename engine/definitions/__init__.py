"""Definitions: parsing, validation, hardened XML, the catalogue of deployed versions, diffs."""
