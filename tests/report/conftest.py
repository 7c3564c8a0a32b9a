"""A built SQLite atlas shared by the report tests (built once per test session and worker)."""

from __future__ import annotations

from pathlib import Path

import pytest

from jakatlas.store.atlas import Atlas


@pytest.fixture(scope="session")
def report_atlas(tmp_path_factory: pytest.TempPathFactory) -> Atlas:
    path: Path = tmp_path_factory.mktemp("report") / "atlas.db"
    atlas = Atlas(f"sqlite:///{path}")
    atlas.build()
    return atlas


@pytest.fixture(scope="session")
def hs_dossier(report_atlas: Atlas):  # type: ignore[no-untyped-def]
    from jakatlas.report.dossier import build_dossier

    return build_dossier(report_atlas, "hidradenitis suppurativa")
