"""Shared fixtures: an isolated filesystem, the shared/ folder beside the repo, the CLI runner."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from typer.testing import CliRunner

REPO = Path(__file__).resolve().parents[1]
EXAMPLES = REPO / "examples"
DATA = Path(__file__).resolve().parent / "data"
SHARED = REPO.parent / "shared"


@pytest.fixture(autouse=True)
def no_updated_prices(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Every test prices with the bundled files only: price files `advisor prices update` wrote on this
    machine (in ~/.local/share/advisor/prices) must not change results. Tests that update prices write
    into this empty folder."""
    folder = tmp_path_factory.mktemp("prices")
    monkeypatch.setenv("ADVISOR_PRICES_DIR", str(folder))
    return folder


@pytest.fixture
def isolated(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Run in an empty working directory with HOME pointing inside it (cookiecutter's isolated_filesystem)."""
    home = tmp_path / "home"
    home.mkdir()
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.chdir(tmp_path)
    return tmp_path


@pytest.fixture
def shared_dir() -> Path:
    """../shared (the design contract, eval cases and schemas); skipped when absent, saying why."""
    if not SHARED.is_dir():
        pytest.skip("../shared is not beside this checkout, so its cases and schemas cannot be read")
    return SHARED


@pytest.fixture
def runner() -> CliRunner:
    return CliRunner()


@pytest.fixture
def env_without_color(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("NO_COLOR", "1")
    monkeypatch.setenv("TERM", os.environ.get("TERM", "dumb"))
