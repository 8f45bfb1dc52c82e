"""The AWS Cost and Usage Report connector: legacy CUR (`lineItem/...`) and CUR 2.0 (snake_case)."""
