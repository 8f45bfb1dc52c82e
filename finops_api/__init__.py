"""The FinOps REST API (Litestar): read endpoints over the mart's read models.

Imports no Dagster code: the API and the batch share only finops_core.
"""
