"""Dagster code location of the FinOps platform: sources, partitions, assets, checks."""
