"""The Google Cloud billing export connector (BigQuery standard and detailed exports)."""
