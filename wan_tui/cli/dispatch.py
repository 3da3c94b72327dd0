"""Running a parsed command: the one place every failure becomes words and an exit code."""

from __future__ import annotations

import argparse
import asyncio
import inspect
import logging
import os
import sys
from collections.abc import Callable
from typing import Any

from ..api.errors import WanError
from ..crash import write_report
from ..api.models import InvalidRequest
from ..session import CallbackError, HistoryError
from .context import CliContext, UsageError, invalid
from .output import Output

EXIT_OK, EXIT_FAILED, EXIT_USAGE, EXIT_INTERRUPTED, EXIT_BUG = 0, 1, 2, 130, 70


def _commands() -> dict[str, Callable[[CliContext], Any]]:
    from . import account_cmd, config_cmd, download_cmd, history_cmd, login_cmd, sim_cmd, tasks

    return {
        "generate": lambda ctx: tasks.generate(ctx, "text2video"),
        "image-to-video": lambda ctx: tasks.generate(ctx, "image2video"),
        "task": tasks.task,
        "tasks": tasks.tasks,
        "wait": tasks.wait,
        "batch": tasks.batch,
        "download": download_cmd.run,
        "models": tasks.models,
        "history": history_cmd.run,
        "config": config_cmd.run,
        "login": login_cmd.run,
        "sync": account_cmd.sync,
        "spend": account_cmd.spend,
        "doctor": account_cmd.doctor,
        "sim": sim_cmd.run,
    }


def execute(args: argparse.Namespace) -> int:
    """Run the parsed command: its exit code, every failure said in words (and JSON)."""
    if getattr(args, "verbose", False):
        handler = logging.StreamHandler(sys.stderr)
        handler.setFormatter(logging.Formatter("http: %(message)s"))
        logging.getLogger("wan_tui.http").addHandler(handler)
        logging.getLogger("wan_tui.http").setLevel(logging.DEBUG)
    out = Output(json_mode=getattr(args, "json", False))
    ctx = CliContext(args, out)
    try:
        if args.command is None:
            from .app_cmd import run_app

            return run_app(ctx)
        result = _commands()[args.command](ctx)
        if inspect.iscoroutine(result):
            result = asyncio.run(result)
        return int(result or 0)
    except (UsageError, InvalidRequest) as error:
        usage = invalid(error) if isinstance(error, InvalidRequest) else error
        problems = [{"field": p.field, "message": p.message} for p in usage.problems]
        return fail(out, EXIT_USAGE, usage.code, str(usage),
                    extra={"problems": problems} if problems else None)
    except CallbackError as error:
        return fail(out, EXIT_USAGE, "usage", str(error))
    except WanError as error:
        out.error(str(error))
        if out.json_mode:
            out.json({"error": error.to_json()})
        return EXIT_FAILED
    except HistoryError as error:  # its message is written for users
        return fail(out, EXIT_FAILED, "history", str(error))
    except OSError as error:  # a data folder that is a file, a full disk: not a bug of ours
        return fail(out, EXIT_FAILED, "os_error", _os_problem(error))
    except KeyboardInterrupt:
        hint = "tasks already submitted stay in the history; follow them with `wan-tui wait --all`"
        return fail(out, EXIT_INTERRUPTED, "interrupted", "interrupted", hint=hint)
    except Exception as error:  # a bug of ours: no traceback in the user's face, but keep it
        report = write_report(error, [getattr(args, "token", None), *_env_secrets()])
        where = f"the details are in {report}" if report else "the details could not be saved"
        return fail(out, EXIT_BUG, "internal", f"wan-tui hit an internal error; {where}",
                    hint="please report it with that file (it holds no token)")


def fail(out: Output, code: int, kind: str, message: str, *, hint: str | None = None,
         extra: dict[str, Any] | None = None) -> int:
    """Say what went wrong on stderr and, with --json, as `{"error": {...}}` on stdout."""
    out.error(message, hint=hint)
    if out.json_mode:
        out.json({"error": {"code": kind, "message": message, "hint": hint, "status": None,
                            "trace_id": None, **(extra or {})}})
    return code


def _os_problem(error: OSError) -> str:
    """ "cannot use /tmp/x/afile: File exists" (the path when the error names one)."""
    reason = error.strerror or str(error)
    return f"cannot use {error.filename}: {reason}" if error.filename else reason


def _env_secrets() -> list[str | None]:
    """Tokens the process may hold besides the command line's: environment and config file."""
    from ..store.config import TOKEN_ENV, load_config

    try:
        configured = load_config().config.api.token
    except Exception:  # noqa: BLE001 - a report must be written even when the config is odd
        configured = None
    return [os.environ.get(TOKEN_ENV), configured]
