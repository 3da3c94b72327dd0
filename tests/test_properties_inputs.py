"""Whatever a user or a file hands wan-tui, it answers with a message, never a traceback
(issue 10): config files, import lines, batch lines and command lines, drawn by Hypothesis."""

from __future__ import annotations

import io
import string
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from wan_tui.cli import main
from wan_tui.store.config import load_config
from wan_tui.store.history import HistoryStore
from wan_tui.store.transfer import ImportRefused

SETTINGS = settings(max_examples=60, deadline=None,
                    suppress_health_check=[HealthCheck.function_scoped_fixture])
json_like = st.recursive(
    st.none() | st.booleans() | st.floats(allow_nan=True) | st.integers() | st.text(max_size=20),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner,
                                                                max_size=4),
    max_leaves=12)


@SETTINGS
@given(st.text(max_size=400))
def test_any_config_text_loads_with_problems_at_most(tmp_path: Path, text: str) -> None:
    path = tmp_path / "config.toml"
    path.write_text(text, encoding="utf-8")
    loaded = load_config(path)
    assert all(isinstance(problem, str) and problem for problem in loaded.problems)


@SETTINGS
@given(st.lists(st.one_of(st.text(max_size=80), json_like.map(repr)), max_size=6))
def test_any_import_lines_are_imported_or_refused_whole(tmp_path: Path,
                                                        lines: list[str]) -> None:
    with HistoryStore(tmp_path / "h.sqlite3") as store:
        before = store.count()
        try:
            store.import_lines(line + "\n" for line in lines)
        except ImportRefused as refused:
            assert "line" in str(refused) and store.count() == before


@SETTINGS
@given(st.lists(st.text(alphabet=string.printable + "{}[]\"\u2028\x0c", max_size=60),
                min_size=1, max_size=5))
def test_any_batch_file_is_checked_before_anything_is_sent(
        tmp_path: Path, capsys, lines: list[str]) -> None:
    batch = tmp_path / "b.txt"
    batch.write_text("\n".join(lines), encoding="utf-8")
    # Nothing listens on the base URL (conftest): a line that passes is "not sent", exit 1.
    code = main(["batch", str(batch), "--token", "tk_test_not_real_1234"])
    err = capsys.readouterr().err
    assert code in (0, 1, 2) and "internal error" not in err


COMMANDS = ["generate", "image-to-video", "batch", "history", "tasks", "download", "models",
            "spend", "config"]  # without one, wan-tui would open the terminal app
OPTIONS = [*COMMANDS, "--duration", "--seed", "--size", "--media", "--limit", "--offset", "--json",
           "--model", "-r", "--ratio", "--timeout", "--max-cost", "x", "-1", "1e999", "nan",
           "wan3.0-video", "first_frame=http://e.com/a.png", "\x1b[2J", "--state", "FAILED"]


@SETTINGS
@given(st.sampled_from(COMMANDS), st.lists(st.sampled_from(OPTIONS) | st.text(max_size=12),
                                          max_size=6))
def test_any_command_line_gets_an_answer_not_a_traceback(capsys, monkeypatch, command: str,
                                                         rest: list[str]) -> None:
    monkeypatch.setattr("sys.stdin", io.StringIO(""))
    code = main([command, *rest])
    out, err = capsys.readouterr()
    assert code in (0, 1, 2) and "internal error" not in err and "Traceback" not in out + err
