"""The mart side of the batch: loading consumption, valuing it, refreshing the read models."""
