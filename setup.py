"""Packaging beyond what pyproject.toml can say: the SQL files under sql/ ship inside the wheel
as the package `finops_sql`, found at run time with importlib.resources."""

from setuptools import find_packages, setup

setup(
    packages=[
        *find_packages(include=["finops_core*", "finops_assets*", "finops_api*", "finops_cli*"]),
        "finops_sql",
    ],
    package_dir={"finops_sql": "sql"},
    package_data={"finops_sql": ["*.sql", "**/*.sql", "migrations/CHECKSUMS"]},
)
