"""The tabular connector: CSV, JSON lines or Parquet exports of internal tools, private clouds
and open-source tooling, mapped to consumption by a declaration in finops.yaml."""
