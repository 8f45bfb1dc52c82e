"""finops.yaml: sources are configuration, and a bad file says what is wrong and where."""

from __future__ import annotations

from pathlib import Path

import pytest

from finops_core.config import ConfigError, load_config

REPO = Path(__file__).resolve().parents[1]


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "finops.yaml"
    path.write_text(text)
    return path


def test_repository_config_declares_the_demo_clouds() -> None:
    config = load_config(REPO / "finops.yaml")
    demo = config.source("cloud")
    assert (demo.kind, demo.cost_column, demo.application_tag) == ("focus", "EffectiveCost", "application")
    assert config.source_path(demo) == REPO / ".finops" / "demo" / "focus"


def test_defaults_and_relative_paths(tmp_path: Path) -> None:
    config = load_config(write(tmp_path, "sources:\n  - {name: aws, kind: focus, path: bills/*.csv}\n"))
    source = config.source("aws")
    assert source.cost_column == "EffectiveCost"
    assert source.application_tag is None
    assert config.start_month == "2024-01"
    assert config.source_path(source) == tmp_path / "bills" / "*.csv"


def test_relative_paths_start_from_the_files_folder_as_named_not_from_a_links_target(tmp_path: Path) -> None:
    """A ConfigMap volume holds finops.yaml as a link into a hidden folder of its own: the catalog
    named `../catalog/` is the volume mounted beside it, not one beside the hidden folder."""
    hidden = tmp_path / "config" / "..2026_12_07"
    hidden.mkdir(parents=True)
    (hidden / "finops.yaml").write_text("catalog: ../catalog/\n")
    (tmp_path / "config" / "finops.yaml").symlink_to(Path("..2026_12_07") / "finops.yaml")
    config = load_config(tmp_path / "config" / "finops.yaml")
    assert config.catalog is not None
    assert config.resolve(config.catalog).resolve() == (tmp_path / "catalog").resolve()


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("sources:\n  - {name: aws, kind: focus}\n", "missing required field `path`"),
        ("sources:\n  - {name: aws, kind: cur, path: x}\n", "sources[0].kind"),
        ("sources:\n  - {name: aws, kind: focus, path: x, cost_column: ListCost}\n", "cost_column"),
        ("sources:\n  - {name: aws, kind: focus, path: x, colour: red}\n", "unknown field `colour`"),
        ("sources:\n  - {name: AWS, kind: focus, path: x}\n", "sources[0].name: 'AWS' must be lower-case"),
        (
            "sources:\n  - {name: aws, kind: focus, path: x}\n  - {name: aws, kind: focus, path: y}\n",
            "sources[1].name: 'aws' is declared twice",
        ),
        (
            "sources:\n  - {name: k8s, kind: opencost, path: x, default_currency: EUR,"
            " cost_column: BilledCost}\n",
            "sources[0].cost_column: kind opencost has one cost a line (totalCost); remove it",
        ),
        (
            "sources:\n  - {name: k8s, kind: opencost, path: x, default_currency: EUR, quantity: consumed}\n",
            "sources[0].quantity: kind opencost has one quantity a line; remove it",
        ),
        (
            "sources:\n  - {name: k8s, kind: opencost, path: x, default_currency: EUR,"
            " cost_column: totalCost}\n",
            "sources[0].cost_column: kind opencost has one cost a line (totalCost); remove it",
        ),
        ("start_month: 2025-13\n", "start_month"),
        ("start_month: 2999-01\n", "start_month: 2999-01 is after the current month"),
        ("sources: [\n", "not valid YAML"),
    ],
)
def test_bad_configuration_names_the_field(tmp_path: Path, text: str, message: str) -> None:
    with pytest.raises(ConfigError) as error:
        load_config(write(tmp_path, text))
    assert message in str(error.value)


def test_missing_file_and_unknown_source(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="no such configuration file"):
        load_config(tmp_path / "absent.yaml")
    config = load_config(write(tmp_path, "sources:\n  - {name: aws, kind: focus, path: x}\n"))
    with pytest.raises(ConfigError, match="unknown source 'gcp'; configured sources: aws"):
        config.source("gcp")
