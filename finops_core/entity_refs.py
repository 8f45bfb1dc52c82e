"""Backstage entity refs in the one form they are stored and compared in."""

from __future__ import annotations


def canonical_ref(ref: str) -> str:
    """`ref` as Backstage's stringifyEntityRef writes it: every part lower-cased. Backstage
    matches refs whatever their case (an owner written `Payments-Team` is the group
    `payments-team`) and its user tokens carry this form, so an owner kept as written joined no
    group (no team size) and no viewer's token (the team saw nothing of its own)."""
    return ref.lower()
