"""Codes with a meaning of their own, shared by the batch, the checks and the API."""

UNALLOCATED = "unallocated"
"""The application of consumption that no mapping attributes to anyone: kept, visibly, never dropped."""
COST_VIEWS = ("actual", "actual-rate")
"""The pricing views the batch values from the reported cost (sql/batch/valuation/
value_cost_views.sql), every other stored one from quantities (the rate cards): no pricing file
may declare their codes, and a bill re-issued with corrected costs, its quantities as they were,
is valued again under them alone."""
CURRENCY_PATTERN = r"^[A-Z]{3}$"
"""A currency: an ISO 4217 code, as FOCUS's BillingCurrency, the pricing files and the API take it."""
SIMULATION_PREFIX = "sim-"
"""Every simulation pricing view created through the API starts with it, and no pricing file may
declare a code that does: the API can never take a code the batch will need (issue 10)."""
SIMULATION_CODE_PATTERN = r"^sim-[a-z0-9][a-z0-9._-]{0,58}$"
