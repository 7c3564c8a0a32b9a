"""Full-text search on SQLite FTS5 and PostgreSQL text search: one interface, ranked, highlighted."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest

from jakatlas.errors import InputError
from jakatlas.models.evidence import ExtractionResult, SourceInfo, Study
from jakatlas.store.atlas import Atlas
from jakatlas.store.search import search


@pytest.fixture
def atlas(db_url: str) -> Atlas:
    a = Atlas(db_url)
    a.build()
    return a


def _refs(hits: list) -> list[tuple[str, str]]:
    return [(h.kind, h.ref) for h in hits]


def test_finds_every_kind_of_record(atlas: Atlas) -> None:
    assert ("outcome", "dlqi") in _refs(search(atlas, "quality of life"))          # outcome by its definition
    assert ("cytokine", "il23") in _refs(search(atlas, "IL-23"))                   # cytokine
    assert _refs(search(atlas, "INCB054707"))[0] == ("drug", "povorcitinib")     # development code
    trial = _refs(search(atlas, "BRAVE", kinds=["study"]))                        # trial acronym
    assert {r for _, r in trial} >= {"brave-aa1-baricitinib", "brave-aa2-baricitinib"}
    assert ("disease", "hidradenitis_suppurativa") in _refs(search(atlas, "acne inversa"))  # synonym


def test_registry_id_finds_only_the_study_registered_under_it(atlas: Atlas) -> None:
    hits = search(atlas, "NCT03607487")
    assert _refs(hits) == [("study", "alavi2022-study2")]


def test_ranking_puts_title_matches_first(atlas: Atlas) -> None:
    hits = search(atlas, "povorcitinib")
    assert hits[0].kind == "drug" and hits[0].ref == "povorcitinib"
    assert [h.score for h in hits] == sorted((h.score for h in hits), reverse=True)


def test_every_word_must_match_as_a_prefix(atlas: Atlas) -> None:
    assert {h.ref for h in search(atlas, "tofa morph", kinds=["study"])} == {
        h.ref for h in search(atlas, "tofacitinib morphea", kinds=["study"])}
    assert search(atlas, "tofacitinib zzzzunknown") == []


def test_snippets_mark_matches_and_escape_everything_else(atlas: Atlas) -> None:
    hit = next(h for h in search(atlas, "verneuil") if h.ref == "hidradenitis_suppurativa")
    assert "<mark>Verneuil</mark>&#x27;s disease" in hit.snippet_html
    assert hit.title_html == "hidradenitis suppurativa"


def test_hostile_query_text_is_only_words(atlas: Atlas) -> None:
    # FTS5 / tsquery operators and quotes are not passed through: they cannot break or widen the query.
    assert _refs(search(atlas, '"baricitinib*')) == _refs(search(atlas, "baricitinib"))
    assert search(atlas, "NEAR(tofacitinib) -- ; DROP TABLE studies") == []
    with pytest.raises(InputError, match=r"^Nothing to search for in '\(\)\*'\. Type a word"):
        search(atlas, "()*")


def test_candidates_only_on_request_and_index_follows_changes(atlas: Atlas) -> None:
    result = ExtractionResult(
        source=SourceInfo(id="zebrafish-note.txt", kind="text", sha256="b" * 64),
        studies=[Study(id="s1", interventions=[{"name": "ritlecitinib"}], diseases=[{"name": "morphea"}],
                       design="case_report", n=1, evidence_level=4)])
    added = atlas.add_candidates(result, "ritlecitinib in morphea").added
    assert search(atlas, "zebrafish") == []                            # curated only by default
    hits = search(atlas, "zebrafish", candidates=True)                  # the new study is indexed at once
    assert _refs(hits) == [("study", added[0])] and hits[0].status == "candidate"


def test_limits_are_checked(atlas: Atlas) -> None:
    with pytest.raises(InputError, match=r"^Cannot return 0 results\. Ask for 1 to 200\.$"):
        search(atlas, "hs", limit=0)
    with pytest.raises(InputError, match=r"^No kind of record to search\."):
        search(atlas, "hs", kinds=[])


@pytest.mark.skipif(os.geteuid() == 0, reason="root can write to read-only files")
def test_read_only_database_still_searches(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'ro.db'}"
    Atlas(url).build()
    (tmp_path / "ro.db").chmod(stat.S_IRUSR)
    tmp_path.chmod(stat.S_IRUSR | stat.S_IXUSR)
    try:
        assert _refs(search(Atlas(url), "INCB054707"))[0] == ("drug", "povorcitinib")
    finally:
        tmp_path.chmod(stat.S_IRWXU)


def test_search_works_when_the_index_cannot_be_written(atlas: Atlas, monkeypatch: pytest.MonkeyPatch) -> None:
    from sqlalchemy.exc import OperationalError

    import jakatlas.store.search as mod

    def refuse(*_a: object, **_k: object) -> None:
        raise OperationalError("INSERT", {}, Exception("attempt to write a readonly database"))

    monkeypatch.setattr(mod, "_refresh", refuse)
    assert _refs(search(atlas, "INCB054707"))[0] == ("drug", "povorcitinib")
