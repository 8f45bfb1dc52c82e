"""The OpenCost connector: Kubernetes costs from the allocation API's JSON or the CSV export."""
