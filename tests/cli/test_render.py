"""Console helpers shared by the commands (jakatlas.cli.render)."""

from __future__ import annotations

import pytest

from jakatlas.cli.render import counted


@pytest.mark.parametrize(("n", "expected"), [(0, "0 studies"), (1, "1 study"), (2, "2 studies"),
                                             (1200, "1,200 studies")])
def test_counts_name_their_noun_in_the_right_number(n: int, expected: str) -> None:
    assert counted(n, "study", "studies") == expected


def test_a_regular_plural_needs_no_second_form() -> None:
    assert (counted(1, "mention"), counted(3, "mention")) == ("1 mention", "3 mentions")
