"""Demo data: generated FOCUS 1.2 billing files for trying the platform without provider exports."""

from finops_assets.demo.generator import DemoSpec, demo_months, generate_month, write_dataset

__all__ = ["DemoSpec", "demo_months", "generate_month", "write_dataset"]
