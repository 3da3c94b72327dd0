"""What the history is filtered by, and that as safe SQL conditions (FTS5 MATCH or LIKE).

Which rows the full-text part matches is one question; in which order they are read (driven
by the index, or by walking the history in order) is the planner's (plans.py).
"""

from __future__ import annotations

import functools
import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from wan_tui.store.fts import FTS_TABLE

_TOKEN_CHAR = re.compile(r"[^\W_]")  # what FTS5's unicode61 tokenizer keeps (letters, digits)
_TOKEN = re.compile(r"[^\W_]+")  # one of its tokens: "man's" is two, "man" and "s"
MIN_PREFIX = 2  # a last token of one character matches whole tokens only


@dataclass(frozen=True)
class Filters:
    """One history query. Every field narrows; the defaults match every row."""

    text: str | None = None  # free words: each must occur (prompt or negative prompt)
    states: Sequence[str] = ()
    models: Sequence[str] = ()
    action: str | None = None
    since: float | None = None  # created_at >= since
    until: float | None = None  # created_at < until
    has_video: bool | None = None  # video_url is (not) known
    saved: bool | None = None  # local_path is (not) set: the video was downloaded
    deleted_remote: bool | None = None  # the task was (not) deleted on the service
    local_id: int | None = None  # one row, by its number (#)
    task_id: str | None = None  # one task, by the service's id

    @property
    def words(self) -> str:
        return (self.text or "").strip()


def fts_query(text: str) -> str | None:
    """User text as an FTS5 query that cannot be a syntax error: every term a quoted string
    (so AND, (, * and quotes are just text; a term of several tokens, "man's", is a phrase),
    all terms required, the last one a prefix so results come while typing, when its last
    token has two characters or more ("man's" is not "man s*": that merged every word in s,
    2.5 s at 1M rows, and matched "man soft"). None when no term has anything the index can
    match."""
    terms = _terms(text)
    if not terms:
        return None
    quoted = [_quote(term) for term in terms]
    if _ends_in_prefix(terms):
        quoted[-1] += "*"
    return " ".join(quoted)


def _terms(text: str) -> list[str]:
    return [term for term in text.split() if _TOKEN_CHAR.search(term)]


def _ends_in_prefix(terms: list[str]) -> bool:
    return bool(terms) and len(_TOKEN.findall(terms[-1])[-1]) >= MIN_PREFIX


def _quote(term: str) -> str:
    return '"' + term.replace('"', '""') + '"'


def merges_prefix(text: str) -> bool:
    """Whether the FTS query for `text` ends in a prefix: the index has no prefix entries,
    so SQLite merges the lists of every word starting so, once per evaluation."""
    return _ends_in_prefix(_terms(text))


def prefix_variants(text: str) -> tuple[str | None, list[str]]:
    """For text ending in a prefix: the other words' query (whole words; None when there
    are none), and every term folded as the index sees it, its tokens joined by a space
    (for `has_prefix`)."""
    terms = _terms(text)
    others = " ".join(map(_quote, terms[:-1])) or None
    return others, [" ".join(_fold(token) for token in _TOKEN.findall(term)) for term in terms]


def whole_word(folded: str) -> str:
    """The FTS query for one folded term (a word, or tokens joined by a space: a phrase),
    its last token whole."""
    return _quote(folded)


def _fold(text: str) -> str:
    """Lower case without diacritics, as the index's tokenizer (remove_diacritics 2) sees it."""
    text = text.casefold()
    if text.isascii():
        return text
    return "".join(ch for ch in unicodedata.normalize("NFKD", text)
                   if not unicodedata.combining(ch))


def has_prefix(prompt: str | None, negative: str | None, prefix: str) -> bool:
    """Whether a word of the prompt or negative prompt starts with `prefix` (folded; tokens
    joined by a space must follow each other, as in a phrase: "hello wor" is in "Hello,
    world"): the row-by-row check for a long last word, where asking the index would merge
    every word starting with it on each row. SQL function wan_has_prefix."""
    pattern = _word_start(prefix)
    for text in (prompt, negative):
        # ASCII text needs no folding: the pattern ignores case (most prompts; 3x faster)
        if text and pattern.search(text if text.isascii() else _fold(text)):
            return True
    return False


@functools.lru_cache(maxsize=16)
def _word_start(prefix: str) -> re.Pattern[str]:
    tokens = r"[\W_]+".join(re.escape(token) for token in prefix.split(" "))
    return re.compile(r"(?<![^\W_])" + tokens, re.IGNORECASE)


def _like_pattern(term: str) -> str:
    escaped = term.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def text_match(filters: Filters, fts: bool) -> str | None:
    """The FTS5 query for the free words, when the index can answer them."""
    return fts_query(filters.words) if fts and filters.words else None


def where_parts(filters: Filters, *, fts: bool, match_sql: str | None
                ) -> tuple[list[str], list[Any]]:
    """(conditions, parameters) over table `generations`. `match_sql` is how the full-text
    condition is written (it has one `?` for the FTS5 query); None leaves it out."""
    parts: list[str] = []
    args: list[Any] = []
    match = text_match(filters, fts)
    if match and match_sql:
        parts.append(match_sql)
        args.append(match)
    elif filters.words and not match:  # no FTS5, or only punctuation (which it does not hold)
        for term in filters.words.split():
            parts.append("(prompt LIKE ? ESCAPE '\\' OR negative_prompt LIKE ? ESCAPE '\\')")
            args += [_like_pattern(term)] * 2
    for column, values in (("state", filters.states), ("model", filters.models)):
        if values:
            parts.append(f"{column} IN ({', '.join('?' * len(values))})")
            args += [str(value) for value in values]
    if filters.action:
        parts.append("action = ?")
        args.append(filters.action)
    if filters.since is not None:
        parts.append("created_at >= ?")
        args.append(filters.since)
    if filters.until is not None:
        parts.append("created_at < ?")
        args.append(filters.until)
    for column, one in (("id", filters.local_id), ("task_id", filters.task_id)):
        if one is not None:
            parts.append(f"{column} = ?")
            args.append(one)
    for column, wanted in (("video_url", filters.has_video), ("local_path", filters.saved),
                           ("remote_deleted_at", filters.deleted_remote)):
        if wanted is not None:
            parts.append(f"{column} IS {'NOT ' if wanted else ''}NULL")
    return parts, args


# How the full-text condition is joined in (see plans.py).
DRIVEN = f"id IN (SELECT rowid FROM {FTS_TABLE} WHERE {FTS_TABLE} MATCH ?)"
FILTERED = f"+id IN (SELECT rowid FROM {FTS_TABLE} WHERE {FTS_TABLE} MATCH ?)"
SCANNED = "wan_has_prefix(prompt, negative_prompt, ?)"
PROBED = (f"EXISTS (SELECT 1 FROM {FTS_TABLE} WHERE {FTS_TABLE} MATCH ? "
          f"AND {FTS_TABLE}.rowid = generations.id)")
