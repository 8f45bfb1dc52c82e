"""What the provider connectors share: converting a provider's own export into FOCUS columns."""
