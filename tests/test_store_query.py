"""Finding rows: the search syntax, the plans SQLite uses (the index drives rare words), capped
counts, prefixes while typing, every filter, and keyset paging."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import pytest

from wan_tui.store.history import HistoryStore
from wan_tui.store.plans import DRIVE_MAX, page_sql
from wan_tui.store.query import QueryError, parse_query
from wan_tui.store.search import DRIVEN, Filters, fts_query, has_prefix

COMMON = "a slow camera pans over the misty harbour at dawn"


def row(n: int, prompt: str, **extra: object) -> dict[str, object]:
    return {"task_id": f"t{n}", "model": "wan2.6-t2v", "prompt": prompt, "state": "succeeded",
            "created_at": 1_700_000_000.0 + n, **extra}


@pytest.fixture
def store(tmp_path: Path):
    with HistoryStore(tmp_path / "h.sqlite3") as opened:
        opened.import_rows(row(n, COMMON if n != 77 else "a quetzal in the rain")
                           for n in range(3 * DRIVE_MAX))
        yield opened


def plan(store: HistoryStore, filters: Filters) -> str:
    conn = store._conn  # noqa: SLF001 - the plan is what this test is about
    sql, args = page_sql(conn, filters, fts=True, limit=100)
    return " / ".join(r[3] for r in conn.execute("EXPLAIN QUERY PLAN " + sql, args))


# -- the syntax --------------------------------------------------------------------------------

def test_a_full_query_is_read_into_filters():
    found = parse_query("fox state:failed model:r2v since:2026-11-01 until:2026-11-30 "
                        "has:video saved:yes deleted:no")
    assert found.text == "fox" and found.states == ("failed",)
    assert found.models == ("wan2.6-r2v",)
    assert found.since == datetime(2026, 11, 1).timestamp()
    assert found.until == datetime(2026, 12, 1).timestamp()  # a bare date includes its day
    assert (found.has_video, found.saved, found.deleted_remote) == (True, True, False)


def test_a_number_or_an_id_finds_one_row():
    assert parse_query("#42").local_id == 42 and parse_query("#42").text is None
    assert parse_query("id:42").local_id == 42 and parse_query("id:task-7").task_id == "task-7"
    assert parse_query('"#42" fox').text == "#42 fox"  # quoted: searched as text
    with pytest.raises(QueryError, match="id: needs a value"):
        parse_query("id:")


def test_state_and_model_words_typed_as_text_filter_like_the_board():
    found = parse_query("failed r2v paper boat")
    assert found.states == ("failed",) and found.models == ("wan2.6-r2v",)
    assert found.text == "paper boat"
    quoted = parse_query('"failed" boat')  # quoted: the word itself is searched
    assert quoted.states == () and quoted.text == "failed boat"
    family = parse_query("wan2.6")
    assert set(family.models) == {"wan2.6-t2v", "wan2.6-i2v", "wan2.6-i2v-flash", "wan2.6-r2v"}


@pytest.mark.parametrize("text, said", [
    ("stat:failed", "did you mean 'state'"),
    ("state:faild", "did you mean 'failed'"),
    ("model:r3v", "did you mean 'r2v'"),
    ("since:2026-13-01", "since: takes a date"),
    ("until:tomorrowish", "until: takes a date"),
    ("saved:maybe", "saved: takes yes or no"),
    ("has:audio", "has: takes video"),
    ("state:", "needs a value"),
])
def test_bad_queries_say_what_is_wrong(text: str, said: str):
    with pytest.raises(QueryError, match=said.replace("(", r"\(")):
        parse_query(text)


def test_user_text_never_makes_an_fts_syntax_error():
    assert fts_query('AND ( "x* NEAR') == '"AND" """x*" "NEAR"*'
    assert fts_query("fo") == '"fo"*' and fts_query("f") == '"f"'  # prefixes from 2 letters
    assert fts_query("!!! ...") is None


def test_a_term_of_several_tokens_is_a_phrase_its_last_token_a_prefix_from_two_letters():
    """"man's" is the tokens man, s: "s" is too short to be a prefix (as "f" is), so the
    phrase is whole; "a-bo" ends in a prefix. "man's" as "man s*" matched "man soft" and
    took 2.5 s at a million rows (the index merged every word in s)."""
    assert fts_query("man's") == '"man\'s"' and fts_query("a-b") == '"a-b"'
    assert fts_query("a-bo") == '"a-bo"*' and fts_query("man's fa") == '"man\'s" "fa"*'
    assert has_prefix("Hello, world", None, "hello wor") and has_prefix(None, "l'Été", "l et")
    assert not has_prefix("hello there world", None, "hello wor")
    assert not has_prefix("othello world", None, "hello wor")


def test_possessives_find_the_possessive_only(tmp_path: Path):
    with HistoryStore(tmp_path / "h.sqlite3") as store:
        store.import_rows([row(1, "the man's face in the rain"), row(2, "a man soft light"),
                           row(3, "the dog's tail"), row(4, "a man, sitting")])
        assert [r.task_id for r in store.search("man's")] == ["t1"]
        assert store.count("man's", cap=10) == 1
        assert [r.task_id for r in store.search("man's fa")] == ["t1"]
        assert [r.task_id for r in store.search("man so")] == ["t2"]  # two terms: any order


def test_a_dense_phrase_prefix_walks_and_finds_what_the_index_finds(tmp_path: Path):
    """The text check of a walk (a dense prefix) reads a last term of several tokens as the
    index does: adjacent tokens, the last one a prefix."""
    prompts = ["a sea-lighthouse at dusk", "sea, lightly drifting", "the sea lights",
               "seal light", "sea and lighthouse", "the Sea-Light", "sea-lighthouse keeper"]
    with HistoryStore(tmp_path / "h.sqlite3") as store:
        store.import_rows(row(n, prompts[n % len(prompts)]) for n in range(7 * DRIVE_MAX))
        conn = store._conn  # noqa: SLF001 - the same rows as the index's own phrase query
        sql, _ = page_sql(conn, Filters("sea-ligh"), fts=True, limit=100)
        assert "wan_has_prefix" in sql
        expected = [r[0] for r in conn.execute(
            "SELECT id FROM generations WHERE id IN (SELECT rowid FROM generations_fts WHERE "
            "generations_fts MATCH '\"sea-ligh\"*') ORDER BY created_at DESC, id DESC LIMIT 60")]
        found = store.search("sea-ligh", limit=60)
        assert [r.id for r in found] == expected
        assert {r.prompt for r in found} == set(prompts) - {"seal light", "sea and lighthouse"}


# -- plans and results ---------------------------------------------------------------------------

def test_a_rare_word_is_read_through_the_full_text_index(store: HistoryStore):
    used = plan(store, Filters("quetzal"))
    assert "generations_fts VIRTUAL TABLE" in used
    assert "SCAN generations " not in used + " ", used  # driven by the index, not a table walk
    assert [r.task_id for r in store.search("quetzal")] == ["t77"]


def test_a_common_word_walks_the_history_in_order(store: HistoryStore):
    used = plan(store, Filters("harbour"))
    assert "USING INDEX generations_created" in used and "TEMP B-TREE" not in used, used
    page = store.search("harbour", limit=10)
    assert [r.task_id for r in page] == [f"t{n}" for n in range(5999, 5989, -1)]


def test_prefixes_match_while_typing(store: HistoryStore):
    assert [r.task_id for r in store.search("quet")] == ["t77"]
    assert store.count("harb", cap=100) == 101
    assert store.search("ha", limit=1)[0].task_id == "t5999"


def test_counts_are_capped_and_exact_without_a_cap(store: HistoryStore):
    assert store.count("harbour") == 3 * DRIVE_MAX - 1
    assert store.count("harbour", cap=1000) == 1001
    assert store.count("quetzal", cap=1000) == 1
    assert store.count(cap=10) == 11 and store.count() == 3 * DRIVE_MAX
    assert store.count(filters=parse_query("harbour state:failed"), cap=5) == 0


def test_keyset_paging_reads_the_same_rows_as_offsets(store: HistoryStore):
    first = store.search("harbour", limit=7)
    after = store.search("harbour", limit=7, after=(first[-1].created_at, first[-1].id))
    assert after == store.search("harbour", limit=7, offset=7)
    oldest = store.search(limit=2, oldest_first=True)
    assert [r.task_id for r in oldest] == ["t0", "t1"]


def test_every_filter_narrows(tmp_path: Path):
    with HistoryStore(tmp_path / "h.sqlite3") as store:
        store.import_rows([
            row(1, "red fox", state="failed", model="wan2.6-r2v"),
            row(2, "red fox", video_url="https://v/2.mp4", local_path="/videos/2.mp4"),
            row(3, "red fox", video_url="https://v/3.mp4", remote_deleted_at=5.0),
            row(4, "blue fox"),
        ])

        def found(text: str) -> list[str | None]:
            return [r.task_id for r in store.search(filters=parse_query(text))]

        assert found("fox failed") == ["t1"] and found("r2v") == ["t1"]
        assert found("state:succeeded red") == ["t3", "t2"]
        assert found("has:video") == ["t3", "t2"] and found("has:no-video") == ["t4", "t1"]
        assert found("saved:yes") == ["t2"] and found("deleted:yes") == ["t3"]
        # one row by its number or its task id (at 1M rows, words would not find it)
        number = store.by_task_id("t2").id
        assert found(f"#{number}") == ["t2"] and found(f"id:{number}") == ["t2"]
        assert found(f"id:#{number}") == ["t2"] and found("id:t3") == ["t3"]
        assert found(f"#{number} state:failed") == [] and found("id:nope") == []
        assert found("fox until:2023-11-14T22:13:23") == ["t2", "t1"]
        assert store.search(model="r2v") == store.search(models=["wan2.6-r2v"])
        assert found('"red" -') == ["t3", "t2", "t1"]  # punctuation alone matches nothing more
        like = HistoryStore(tmp_path / "h.sqlite3", fts=False)
        assert [r.task_id for r in like.search("blue")] == ["t4"]
        like.close()


def test_the_driven_plan_is_chosen_for_few_matches(store: HistoryStore):
    sql, _ = page_sql(store._conn, Filters("quetzal"), fts=True, limit=10)  # noqa: SLF001
    assert DRIVEN in sql


def test_a_long_prefix_of_a_common_word_walks_and_checks_the_text(tmp_path: Path):
    prompts = ["golden lighthouse at dusk", "two golden Lighthouses", "delight in the rain",
               "Élan of the golden lighthouse keeper", "golden lighthouse, lightly drifting",
               "a golden lighthouse", "the golden lighthouse"]
    with HistoryStore(tmp_path / "h.sqlite3") as store:
        store.import_rows(row(n, prompts[n % len(prompts)]) for n in range(7 * DRIVE_MAX))
        conn = store._conn  # noqa: SLF001 - the same rows as the index's own prefix query
        sql, _ = page_sql(conn, Filters("golden lighthouse"), fts=True, limit=100)
        assert "wan_has_prefix" in sql  # the dense whole word: walk in order, check the text
        expected = [r[0] for r in conn.execute(
            "SELECT id FROM generations WHERE id IN (SELECT rowid FROM generations_fts WHERE "
            "generations_fts MATCH '\"golden\" \"lighthouse\"*') ORDER BY created_at DESC, "
            "id DESC LIMIT 50")]
        assert [r.id for r in store.search("golden lighthouse", limit=50)] == expected
        assert {r.prompt for r in store.search("lighthouse", limit=20)} == \
            set(prompts) - {prompts[2]}  # "Lighthouses" starts with it too; "delight" does not
        assert {r.prompt for r in store.search("élan", limit=5)} == {prompts[3]}
        assert store.count("lighthouse", cap=100) == 101
        assert store.count("lighthouse") == 6 * DRIVE_MAX
