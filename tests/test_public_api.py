"""``jakatlas.__all__`` is honest: every name resolves, and nothing public is missing from it."""

from __future__ import annotations

import jakatlas


def test_every_public_name_resolves() -> None:
    for name in jakatlas.__all__:
        assert getattr(jakatlas, name) is not None, name


def test_unknown_attribute_raises() -> None:
    import pytest

    with pytest.raises(AttributeError, match="no attribute 'nope'"):
        jakatlas.nope  # noqa: B018


def test_errors_share_one_root() -> None:
    for name in ("AuthError", "DataFileError", "InputError", "NetworkError", "NotFoundError",
                 "StatisticsError", "StorageError"):
        assert issubclass(getattr(jakatlas, name), jakatlas.JakatlasError)
