"""The Dagster code location (workspace.yaml loads this module), built from FINOPS_CONFIG."""

from finops_assets.graph import build_definitions
from finops_core.config import load_config
from finops_core.settings import Settings

defs = build_definitions(load_config(Settings.from_env().config_path))
