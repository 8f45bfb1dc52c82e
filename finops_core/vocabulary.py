"""Codes with a meaning of their own, shared by the batch, the checks and the API."""

UNALLOCATED = "unallocated"
"""The application of consumption that no mapping attributes to anyone: kept, visibly, never dropped."""
