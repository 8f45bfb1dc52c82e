"""The FOCUS connector: FOCUS 1.0 to 1.2 billing files as providers actually write them."""
