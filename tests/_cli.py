"""Run the real CLI entry point in-process and capture exit code, stdout and stderr."""

from __future__ import annotations

import sys

import pytest

from jakatlas.cli import main


def run(capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, *args: str) -> tuple[int, str, str]:
    """``jakatlas ARGS`` through :func:`jakatlas.cli.main`, as a user would see it."""
    monkeypatch.setattr(sys, "argv", ["jakatlas", *args])
    code = 0
    try:
        main()
    except SystemExit as exc:
        code = int(exc.code or 0)
    out, err = capsys.readouterr()
    return code, out, err
