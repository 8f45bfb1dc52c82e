"""Backstage entity refs in the one form they are stored and compared in."""

from __future__ import annotations

import string

_ASCII_LOWER = str.maketrans(string.ascii_uppercase, string.ascii_lowercase)


def canonical_ref(ref: str) -> str:
    """`ref` as Backstage's stringifyEntityRef writes it: lower-cased. Backstage matches refs
    whatever their case (an owner written `Payments-Team` is the group `payments-team`) and its
    user tokens carry this form, so an owner kept as written joined no group (no team size) and
    no viewer's token (the team saw nothing of its own). ASCII letters alone, as Backstage's
    names are: Unicode case folding would make a lookalike (the Kelvin sign, U+212A) the letter
    k of a configured role's ref; and so that the database's translate() gives the same form
    whatever its locale (migrations/0027_canonical_refs.sql)."""
    return ref.translate(_ASCII_LOWER)
