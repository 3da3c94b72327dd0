"""The command line's shape: every command, option and help text, and nothing else."""

from __future__ import annotations

import argparse
import math
from collections.abc import Callable

from ..api.media import MEDIA_TYPES, parse_media_item
from ..api.models import (
    MODELS,
    RESOLUTIONS,
    SHOT_TYPES,
    normalize_resolution,
    normalize_size,
    parse_duration,
)
from ..api.specs import RATIOS, SEED_RANGE, models_for
from ..api.state import State

EPILOG = """\
Without a command, wan-tui opens the terminal app. Try it offline with `wan-tui --demo`.
Token: --token, ACEDATACLOUD_API_TOKEN, or `wan-tui config set api.token TOKEN`.
Exit codes: 0 success; 1 the API refused, a task failed, a wait timed out, or a task id is
unknown; 2 invalid input (nothing was sent); 70 an internal error (a report file is named);
130 interrupted."""


# Types for numeric options: argparse reports a refused value as a usage error (exit 2), so
# a zero concurrency cannot hang a batch and a port past 65535 cannot crash the simulator.

def _number(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a number: {text!r}") from None
    if not math.isfinite(value):
        raise argparse.ArgumentTypeError(f"must be a finite number (got {text})")
    return value


def seconds(text: str) -> float:
    """0 or more seconds."""
    value = _number(text)
    if value < 0:
        raise argparse.ArgumentTypeError(f"must be 0 or more seconds (got {text})")
    return value


def positive_seconds(text: str) -> float:
    value = _number(text)
    if value <= 0:
        raise argparse.ArgumentTypeError(f"must be more than 0 seconds (got {text})")
    return value


def share(text: str) -> float:
    """A rate between 0 and 1."""
    value = _number(text)
    if not 0 <= value <= 1:
        raise argparse.ArgumentTypeError(f"must be between 0 and 1 (got {text})")
    return value


def positive_int(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a whole number: {text!r}") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be 1 or more (got {text})")
    return value


def money(text: str) -> float:
    value = _number(text.removeprefix("$"))
    if value < 0:
        raise argparse.ArgumentTypeError(f"must be 0 or more (got {text})")
    return value


MAX_PAGE = 100_000  # rows one `history` call prints
MAX_OFFSET = 10**12  # far past any history; SQLite's integers end at 2**63


def bounded(low: int, high: int) -> Callable[[str], int]:
    """A whole number from low to high, refused as a usage error otherwise."""
    def parse(text: str) -> int:
        try:
            value = int(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"not a whole number: {text!r}") from None
        if not low <= value <= high:
            raise argparse.ArgumentTypeError(f"must be {low:,} to {high:,} (got {text})")
        return value
    return parse


def port(text: str) -> int:
    """A TCP port; 0 asks the system for any free one."""
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a port number: {text!r}") from None
    if not 0 <= value <= 65535:
        raise argparse.ArgumentTypeError(f"must be 1 to 65535, or 0 for any free port "
                                         f"(got {text})")
    return value


def _connection_options(parser: argparse.ArgumentParser, *, top: bool) -> None:
    # Accepted before or after the command; SUPPRESS keeps a later position from erasing
    # an earlier one.
    default = None if top else argparse.SUPPRESS
    parser.add_argument("--token", default=default, metavar="TOKEN",
                        help="API token (else ACEDATACLOUD_API_TOKEN, else the config file); "
                             "visible to others in `ps`: prefer `wan-tui login`")
    parser.add_argument("--base-url", default=default, metavar="URL",
                        help="API base URL (else ACEDATACLOUD_API_BASE_URL, else the config)")
    parser.add_argument("-v", "--verbose", action="store_true",
                        default=False if top else argparse.SUPPRESS,
                        help="log each request to stderr: method, path, status, time, trace id "
                             "(never the token or bodies)")


def _json_option(parser: argparse.ArgumentParser, *, top: bool = True) -> None:
    # Below a command that has it too (`history import`), SUPPRESS keeps either place working.
    parser.add_argument("--json", action="store_true", help="print JSON instead of text",
                        default=False if top else argparse.SUPPRESS)


def duration(text: str) -> int:
    """2-30 seconds, or -1 / auto for the model's own choice."""
    try:
        return parse_duration(text)
    except ValueError as error:
        raise argparse.ArgumentTypeError(str(error)) from None


def seed(text: str) -> int:
    return bounded(*SEED_RANGE)(text)


def media_item(text: str) -> object:
    try:
        return parse_media_item(text)
    except ValueError as error:
        raise argparse.ArgumentTypeError(str(error)) from None


def _generation_options(parser: argparse.ArgumentParser) -> None:
    """Options shared by every generation command (API field names in --long-form; the
    vendor's own CLI spellings -m, -r, -d, -n are accepted too)."""
    g = parser.add_argument_group("generation parameters (unset: config defaults, then the service)")
    g.add_argument("-r", "--resolution", type=normalize_resolution, choices=RESOLUTIONS,
                   help="output resolution (720p is read as 720P)")
    g.add_argument("--size", type=normalize_size, metavar="W*H",
                   help="frame size such as 1280*720 (1280x720 is read as 1280*720)")
    g.add_argument("--ratio", choices=RATIOS, help="output aspect ratio")
    g.add_argument("-d", "--duration", type=duration, metavar="S",
                   help="length in seconds, 2-30, or auto (-1): the model chooses")
    g.add_argument("--seed", type=seed, metavar="N", help="for reproducible results")
    g.add_argument("--watermark", action=argparse.BooleanOptionalAction, default=None,
                   help="add the service's watermark (default: none)")
    g.add_argument("--shot-type", choices=SHOT_TYPES,
                   help="single or multi shot; takes effect with --prompt-extend")
    g.add_argument("-n", "--negative-prompt", metavar="TEXT",
                   help="what to avoid (the service keeps 500 characters)")
    g.add_argument("--audio", action=argparse.BooleanOptionalAction, default=None,
                   help="generate sound (--no-audio: a silent video)")
    g.add_argument("--audio-url", metavar="URL", help="audio the video is made to fit")
    g.add_argument("--prompt-extend", action=argparse.BooleanOptionalAction, default=None,
                   help="let the service rewrite the prompt with an LLM")
    g.add_argument("--callback-url", metavar="URL",
                   help="the service POSTs the result here when the task ends")


def _wait_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--wait", action="store_true", help="wait until the task ends")
    parser.add_argument("--timeout", type=seconds, metavar="S",
                        help="wait, giving up after S seconds (implies --wait)")
    _quiet_option(parser)
    _callback_options(parser)


def _quiet_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("-q", "--quiet", action="store_true",
                        help="no progress while waiting (a live bar on a terminal, a line "
                             "every few seconds in a log)")


def _callback_options(parser: argparse.ArgumentParser) -> None:
    g = parser.add_argument_group("callback receiver (off by default; polling goes on, slower)")
    g.add_argument("--callback-listen", metavar="HOST:PORT",
                   help="receive results here as tasks end (else polling.callback_listen)")
    g.add_argument("--callback-public-url", metavar="URL",
                   help="how the service reaches that address (default http://HOST:PORT)")


STATES = tuple(str(state) for state in State)


def _history_filters(parser: argparse.ArgumentParser, *, top: bool) -> None:
    # Accepted before or after `export`; SUPPRESS keeps a later position from erasing them.
    default: object = None if top else argparse.SUPPRESS
    parser.add_argument("--search", default=default, metavar="TEXT",
                        help="full-text search in prompts")
    parser.add_argument("--state", action="append", default=[] if top else argparse.SUPPRESS,
                        metavar="STATE",
                        help=f"only this state, any case (repeatable): {', '.join(STATES)}")
    parser.add_argument("--model", choices=MODELS, default=default)
    parser.add_argument("--action", choices=("text2video", "image2video"), default=default)
    parser.add_argument("--since", default=default, metavar="DATE",
                        help="made on or after DATE (YYYY-MM-DD[THH:MM])")
    parser.add_argument("--until", default=default, metavar="DATE",
                        help="made up to DATE (YYYY-MM-DD: that day included; or YYYY-MM-DDTHH:MM)")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="wan-tui",
        description="Generate videos with Alibaba's Wan 2.6 models (AceData Cloud Wan API).",
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    from .. import __version__

    parser.add_argument("--version", action="version", version=f"wan-tui {__version__}")
    parser.add_argument("--demo", action="store_true",
                        help="open the app on the built-in simulator (offline; own history)")
    parser.add_argument("--demo-job-seconds", type=positive_seconds, metavar="S", help="with --demo: about how long a generation takes (default 15, or WAN_TUI_DEMO_JOB_SECONDS)")
    _connection_options(parser, top=True)
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")

    def command(name: str, help: str, *, connection: bool = True) -> argparse.ArgumentParser:
        p = sub.add_parser(name, help=help, description=help)
        if connection:
            _connection_options(p, top=False)
        return p

    p = command("generate", "text to video (wan2.6-t2v, wan3.0-video)")
    p.add_argument("prompt", help="what the video shows")
    p.add_argument("-m", "--model", choices=models_for("text2video"),
                   help="model (default: config, else wan2.6-t2v)")
    _generation_options(p)
    _wait_options(p)
    _json_option(p)

    p = command("image-to-video", "image, frames or reference material to video "
                "(wan2.6-i2v, -i2v-flash, -r2v, wan3.0-video)")
    p.add_argument("prompt", help="what happens in the video (may be \"\" for wan3.0-video "
                   "with --media)")
    p.add_argument("-i", "--image-url", metavar="URL", help="first frame (i2v and i2v-flash)")
    p.add_argument("-m", "--model", choices=models_for("image2video"),
                   help="model (default: config, else wan2.6-i2v)")
    p.add_argument("--reference-video-url", action="append", default=[], metavar="URL",
                   dest="reference_video_urls", help="reference video for wan2.6-r2v (repeatable)")
    p.add_argument("--reference-video-urls", action="extend", nargs="+", metavar="URL",
                   dest="reference_video_urls", help=argparse.SUPPRESS)  # the vendor's spelling
    p.add_argument("--media", action="append", default=[], type=media_item, metavar="TYPE=URL",
                   help=f"wan3.0-video material (repeatable, at most 10); TYPE is one of "
                        f"{', '.join(MEDIA_TYPES)}; frames and references don't mix")
    _generation_options(p)
    _wait_options(p)
    _json_option(p)

    p = command("task", "show one task (asks the service, records the answer)")
    p.add_argument("task_id")
    _json_option(p)

    p = command("tasks", "show several tasks in one request")
    p.add_argument("task_ids", nargs="+", metavar="TASK_ID")
    _json_option(p)

    p = command("wait", "wait until a task (or, with --all, every unfinished task) ends")
    p.add_argument("task_id", nargs="?")
    p.add_argument("--all", action="store_true", help="every unfinished task in the history")
    p.add_argument("--interval", type=positive_seconds, metavar="S",
                   help="seconds between looks")
    p.add_argument("--timeout", type=seconds, metavar="S", help="give up after S seconds (exit 1)")
    _quiet_option(p)
    _callback_options(p)
    _json_option(p)

    p = command("batch", "submit one generation per line of FILE (JSON object or plain prompt)")
    p.add_argument("file", help="the file, or - for standard input")
    p.add_argument("-m", "--model", choices=MODELS, help="model for plain-prompt lines")
    p.add_argument("--max-cost", type=money, metavar="USD",
                   help="refuse the whole batch (nothing sent) when its estimate is above this")
    _generation_options(p)
    p.add_argument("--concurrency", type=positive_int, metavar="N",
                   help="submissions in flight at once (default: config, else 5)")
    _wait_options(p)
    _json_option(p)

    p = command("download", "save finished tasks' videos (default folder: downloads.dir); "
                "an interrupted download resumes")
    p.add_argument("task_ids", nargs="+", metavar="TASK_ID")
    p.add_argument("-o", "--output-dir", metavar="DIR",
                   help="folder to save into (a video saved elsewhere is copied here)")
    _quiet_option(p)
    _json_option(p)

    p = command("models", "list the models and what they need")
    _json_option(p)

    p = command("history", "browse, export and import the history of generations",
                connection=False)
    hsub = p.add_subparsers(dest="history_command", metavar="ACTION")
    _history_filters(p, top=True)
    p.add_argument("--limit", type=bounded(1, MAX_PAGE), default=20, metavar="N",
                   help=f"rows to show, 1 to {MAX_PAGE:,}")
    p.add_argument("--offset", type=bounded(0, MAX_OFFSET), default=0, metavar="N",
                   help="rows to skip (newest first)")
    _json_option(p)
    hp = hsub.add_parser("export", help="write the history (or what the filters match) as "
                                        "JSONL or CSV")
    _history_filters(hp, top=False)
    hp.add_argument("--format", choices=("jsonl", "csv"), default="jsonl")
    hp.add_argument("-o", "--output", metavar="FILE", help="file to write (default: stdout)")
    hp = hsub.add_parser("import", help="merge a JSONL export into the history")
    hp.add_argument("file")
    _json_option(hp, top=False)
    hp = hsub.add_parser("delete", help="remove one task from the history (with --remote, "
                                        "from the service too)")
    hp.add_argument("task_id")
    hp.add_argument("--remote", action="store_true",
                    help="also delete the task's record on the service (irreversible; asks)")
    hp.add_argument("-y", "--yes", action="store_true", help="do not ask (for scripts)")
    _connection_options(hp, top=False)

    p = command("sync", "bring the account's tasks (web app, other machines) into the history")
    p.add_argument("--since", metavar="DATE", help="only tasks made on or after DATE")
    _quiet_option(p)
    _json_option(p)

    p = command("spend", "sum the recorded costs of finished tasks", connection=False)
    p.add_argument("--since", metavar="DATE", help="made on or after DATE")
    p.add_argument("--until", metavar="DATE", help="made up to DATE (that day included)")
    p.add_argument("--by", choices=("day", "model"), default="day")
    _json_option(p)

    p = command("doctor", "check the whole history file, report its size, compact it",
                connection=False)
    p.add_argument("--vacuum", action="store_true", help="return free space to the disk")
    _json_option(p)

    p = command("config", "show or change the configuration", connection=False)
    csub = p.add_subparsers(dest="config_command", metavar="ACTION")
    cp = csub.add_parser("show", help="every key and its value (token masked)")
    _json_option(cp)
    cp = csub.add_parser("set", help="set KEY to VALUE, e.g. defaults.resolution 1080P")
    cp.add_argument("key")
    cp.add_argument("value")
    cp = csub.add_parser("unset", help="remove KEY from the file (back to its default)")
    cp.add_argument("key")
    csub.add_parser("path", help="print the config file's path")

    p = command("login", "save the API token, read hidden from the terminal or from stdin, "
                "after checking it (safer than --token, which `ps` shows)")
    p.add_argument("--no-check", action="store_true",
                   help="save without asking the service first")

    p = command("sim", "run the Wan API simulator (for the demo, tests and scripts)",
                connection=False)
    p.add_argument("--host", default="127.0.0.1")
    p.add_argument("--port", type=port, default=8765, help="0: any free port (printed)")
    p.add_argument("--token", metavar="T",
                   help="token it accepts (default: a random one, printed)")
    p.add_argument("--job-seconds", type=positive_seconds, default=30.0, metavar="S",
                   help="about how long a generation takes")
    p.add_argument("--fail-rate", type=share, default=0.0, metavar="P",
                   help="share of tasks that fail (0-1)")
    p.add_argument("--fault-rate", type=share, default=0.0, metavar="P",
                   help="share of requests answered with a fault: 429, 500, HTML 502, dropped")
    p.add_argument("--latency", type=seconds, default=0.0, metavar="S",
                   help="seconds before each API answer (default 0)")
    p.add_argument("--seed", type=int, help="for repeatable runs")
    p.add_argument("--seed-tasks", type=positive_int, default=0, metavar="N",
                   help="start with N ended tasks made by \"another client\" (for sync tests)")
    return parser
