"""The example cohort pulled once, for the tests that drive the app in process."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.serve_process import copy_cohort


@pytest.fixture(scope="module")
def pulled(examples: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The six example districts pulled into their store; their cohort.toml."""
    from sheetsync.cohort.file import load_cohort
    from sheetsync.pull.run import pull

    toml = copy_cohort(examples, tmp_path_factory.mktemp("serve-app") / "cohort")
    pull(load_cohort(toml))
    return toml


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"
