"""Referentials (the product catalog, applications) kept as history in the dim_ tables."""
