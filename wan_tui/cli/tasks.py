"""Commands that create and follow generations: generate, image-to-video, batch, task(s), wait."""

from __future__ import annotations

import asyncio
import json
import sys
from collections.abc import Iterable
from typing import Any

from ..api.errors import WanError
from ..api.models import GenerationRequest, InvalidRequest
from ..api.pricing import estimate, money, total
from ..api.service import FATAL_CODES
from ..api.specs import MODEL_SPECS, models_for
from ..api.state import ACTIVE_STATES, State
from ..session import HistoryError, Session, TrackerEvent, UnknownTask
from ..store.rows import Row
from .context import CliContext, UsageError, check_request, request_fields
from .output import Progress, one_line

OK, FAILED = 0, 1
GOOD_STATES = {State.SUCCEEDED, State.PENDING, State.RUNNING}


def exit_code(rows: Iterable[Row]) -> int:
    """1 when any task failed, expired, was lost or has an unknown fate."""
    return OK if all(row.state in GOOD_STATES for row in rows) else FAILED


def show(ctx: CliContext, rows: list[Row], *, single: bool) -> None:
    if ctx.out.json_mode:
        ctx.out.json(rows[0].to_json() if single and rows else [r.to_json() for r in rows])
    else:
        ctx.out.rows(r.to_json() for r in rows)


async def generate(ctx: CliContext, action: str) -> int:
    args = ctx.args
    request = ctx.request(action, args.prompt, request_fields(args))
    check_request(request, ctx.out)
    wait = args.wait or args.timeout is not None  # a timeout says how long to wait
    async with ctx.session() as session:
        row = await session.submit(request)
        if wait and row.state in ACTIVE_STATES:
            ctx.out.info(f"submitted {row.task_id}; waiting for it to end…")
            if not await _wait(ctx, session, [row.id], args.timeout):
                return _timed_out(ctx, session, [row.id])
        row = session.get(row.id) or row
    if not ctx.out.json_mode and row.state in ACTIVE_STATES and not wait:
        ctx.out.info("follow it with `wan-tui wait " + (row.task_id or "") + "`")
    show(ctx, [row], single=True)
    if row.state not in GOOD_STATES:
        ctx.out.error(f"{row.state}: {row.error_message or 'no reason given'}")
    return exit_code([row])


async def task(ctx: CliContext) -> int:
    async with ctx.session(poll=False) as session:
        try:
            row = await session.look_up(ctx.args.task_id)
        except UnknownTask as error:
            ctx.out.error(str(error))
            if ctx.out.json_mode:
                ctx.out.json(unknown_json(error.task_id))
            return FAILED
    show(ctx, [row], single=True)
    return exit_code([row])


def unknown_json(task_id: str) -> dict[str, Any]:
    """A task the service does not know, in the shape of a task's JSON."""
    return {"task_id": task_id, "state": None,
            "error": {"code": UnknownTask.code, "message": str(UnknownTask(task_id))}}


async def tasks(ctx: CliContext) -> int:
    async with ctx.session(poll=False) as session:
        rows, missing = await session.look_up_many(ctx.args.task_ids)
    for task_id in missing:
        ctx.out.error(str(UnknownTask(task_id)))
    if ctx.out.json_mode:  # every id asked for, in the order given
        by_id = {r.task_id: r.to_json() for r in rows}
        ctx.out.json([by_id.get(i) or unknown_json(i) for i in dict.fromkeys(ctx.args.task_ids)])
    else:
        show(ctx, rows, single=False)
    return FAILED if missing else exit_code(rows)


async def wait(ctx: CliContext) -> int:
    args = ctx.args
    if args.all == bool(args.task_id):
        raise UsageError("give either a TASK_ID or --all")
    pacing = {"interval": args.interval, "first_poll": 0.0}
    async with ctx.session(**pacing) as session:
        if args.all:
            ids = session.unsettled()
            if not ids:
                ctx.out.info("nothing to wait for: no task in the history is unfinished")
        else:
            ids = [(await session.follow(args.task_id)).id]
        if not await _wait(ctx, session, ids, args.timeout):
            return _timed_out(ctx, session, ids)
        rows = session.rows(ids)
    show(ctx, rows, single=not args.all)
    return exit_code(rows)


async def batch(ctx: CliContext) -> int:
    args = ctx.args
    lines = read_batch(ctx, args.file)
    if not lines:
        raise UsageError(f"{args.file}: no requests in it (one JSON object or prompt per line)")
    check_budget(ctx, [request for _, request in lines], args.max_cost)
    wait = args.wait or args.timeout is not None
    async with ctx.session(max_in_flight=args.concurrency) as session:
        ctx.out.info(f"submitting {len(lines)} generations…")
        results = await asyncio.gather(*(session.submit(r) for _, r in lines),
                                       return_exceptions=True)
        failed = _history_failures(ctx, lines, results)  # e.g. a full disk: said per line
        sent = [(number, r.id) for (number, _), r in zip(lines, results) if isinstance(r, Row)]
        ids = [local_id for _, local_id in sent]
        if wait and not await _wait(ctx, session, ids, args.timeout):
            return _timed_out(ctx, session, ids)
        rows = session.rows(ids)
    numbers = [number for number, _ in sent]
    if ctx.out.json_mode:
        ctx.out.json([{"line": n, **row.to_json()} for n, row in zip(numbers, rows)] + failed)
    elif wait:
        ctx.out.rows(r.to_json() for r in rows)
    else:
        for number, row in zip(numbers, rows):
            outcome = row.task_id or f"({row.state}: {row.error_message})"
            ctx.out.line((f"line {number}: ", "dim"), f"{outcome}  ",
                         (one_line(row.prompt, 60), "dim"))
    return FAILED if failed else exit_code(rows)


def _history_failures(ctx: CliContext, lines: list[tuple[int, GenerationRequest]],
                      results: list[Row | BaseException]) -> list[dict[str, Any]]:
    """Lines the history could not record (a full disk, a locked file): each said, none lost
    silently. Anything else raised is a bug and goes up."""
    failed = []
    for (number, _), result in zip(lines, results):
        if isinstance(result, HistoryError):
            ctx.out.error(f"line {number}: {result}")
            failed.append({"line": number, "error": {"code": "history", "message": str(result)}})
        elif isinstance(result, BaseException):
            raise result
    return failed


def check_budget(ctx: CliContext, requests: list[GenerationRequest],
                 max_cost: float | None) -> None:
    """Say what the batch is estimated to cost; refuse it whole above --max-cost.

    Only published prices count (Wan 3); requests at an unknown price are named, not guessed.
    With a range (the model picks the length), the highest figure is held against the limit.
    """
    estimated, unknown = total(estimate(r) for r in requests)
    if estimated is None:
        ctx.out.info(f"estimated cost: unknown (no published price for {unknown} "
                     f"request{'s' if unknown != 1 else ''}; actual costs show as tasks end)")
    else:
        ctx.out.info(f"estimated cost: {estimated.text}")
    if max_cost is None or estimated is None:
        return
    worst = estimated.maximum if estimated.maximum is not None else estimated.amount
    if worst > max_cost:
        raise UsageError(f"the batch may cost {money(worst)} ({estimated.text}), above "
                         f"--max-cost {money(max_cost)}; nothing was sent")


BATCH_FILE_LIMIT = 16 * 1024 * 1024  # bytes: far more than any real batch


def read_batch(ctx: CliContext, name: str) -> list[tuple[int, GenerationRequest]]:
    """Every line validated before any is sent; each bad line named by its number.

    A line is a JSON object (a request body) or a plain prompt; blank lines and lines
    starting with `#` are skipped. Lines end at \\n (or \\r\\n) only, so a form feed or a
    Unicode line separator inside a prompt cannot turn one line into several paid tasks.
    """
    text = read_text_file(name, BATCH_FILE_LIMIT, "a batch file")
    requests: list[tuple[int, GenerationRequest]] = []
    problems: list[str] = []
    typed = request_fields(ctx.args)
    for number, raw in enumerate(text.split("\n"), 1):
        line = raw.removesuffix("\r").strip()
        if not line or line.startswith("#"):
            continue  # blank lines and comments
        where = f"line {number}: "
        try:
            request = _batch_request(ctx, line, typed)
            errors = request.errors()
        except InvalidRequest as error:
            errors = error.problems
        except (ValueError, TypeError, RecursionError) as error:
            problems.append(f"{where}{error}")
            continue
        problems += [f"{where}{p}" for p in errors]
        if not errors:
            for warning in request.warnings():
                ctx.out.warn(f"{where}{warning}")
            requests.append((number, request))
    if problems:
        raise UsageError(f"{name}: nothing was submitted:\n  " + "\n  ".join(problems))
    return requests


def _batch_request(ctx: CliContext, line: str, typed: dict[str, Any]) -> GenerationRequest:
    if line.startswith(("{", "[", '"')):  # meant as JSON: only an object is a request
        try:
            body = json.loads(line)
        except ValueError as error:
            raise ValueError(f"not valid JSON ({error})") from None
        if not isinstance(body, dict):
            raise ValueError(f"a JSON line must be an object (a request body), not "
                             f"{type(body).__name__}; write a plain prompt without quotes")
        return GenerationRequest.from_body(body)
    model = typed.get("model") or ctx.loaded.config.defaults.get("model")
    action = "image2video" if model and model not in models_for("text2video") else "text2video"
    return ctx.request(action, line, typed)


def read_text_file(name: str, limit: int, what: str) -> str:
    """A UTF-8 file (or - for stdin) of at most `limit` bytes, with a clear error."""
    try:
        if name == "-":
            data = sys.stdin.buffer.read(limit + 1)
        else:
            with open(name, "rb") as handle:
                data = handle.read(limit + 1)
    except OSError as error:
        raise UsageError(f"cannot read {name}: {error.strerror or error}") from None
    if len(data) > limit:
        raise UsageError(f"{name} is over {limit // (1024 * 1024)} MB: too large for "
                         f"{what}; split it")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as error:
        raise UsageError(f"{name} is not UTF-8 text (byte {error.start}); save it as "
                         "UTF-8") from None


def models(ctx: CliContext) -> int:
    """Each model's actions, fields, durations, resolutions, sizes and price."""
    facts = [spec.describe() for spec in MODEL_SPECS.values()]
    if ctx.out.json_mode:
        ctx.out.json(facts)
        return OK
    for fact in facts:
        ctx.out.line((f"{fact['model']}", "bold"), f"  {fact['description']}")
        durations = fact["durations"]
        price = fact["price_per_second"]
        ctx.out.line(f"  actions: {', '.join(fact['actions'])}"
                     + (" (optional)" if fact["action_optional"] else ""))
        ctx.out.line(f"  needs: {', '.join(fact['required'])}")
        ctx.out.line(f"  durations: {durations['min']}-{durations['max']} s upstream "
                     f"(the endpoint takes 2-30, or -1/auto)")
        for resolution, sizes in fact["sizes"].items():
            ctx.out.line(f"  {resolution}: {' '.join(sizes)}")
        ctx.out.line("  price: " + (", ".join(f"${v:.2f}/s at {r}" for r, v in price.items())
                                    if price else "unknown (the actual cost shows once a "
                                                  "task ends)"))
    return OK




async def _wait(ctx: CliContext, session: Session, local_ids: list[int],
                timeout: float | None) -> bool:
    """Wait with live counts on a terminal, saying what goes wrong meanwhile.

    Returns False on timeout; raises WanError when the token or account is refused.
    """
    progress = Progress(ctx.out, quiet=getattr(ctx.args, "quiet", False))
    states: dict[int, str] = {}
    for row in session.rows(local_ids):
        states[row.id] = row.state
    wanted = set(local_ids)
    said: list[str | None] = [None]
    fatal = asyncio.Event()

    def on_event(event: TrackerEvent) -> None:
        for row in event.rows:
            if row.id in wanted:
                states[row.id] = row.state
        trouble = event.status.trouble
        if trouble and trouble != said[0]:
            progress.done()
            ctx.out.warn(trouble if event.status.trouble_code in FATAL_CODES
                         else f"{trouble} (still trying)")
        said[0] = trouble
        if event.status.trouble_code in FATAL_CODES:
            fatal.set()
        counts: dict[str, int] = {}
        for state in states.values():
            counts[state] = counts.get(state, 0) + 1
        progress.update(counts)

    on_event(TrackerEvent())
    unsubscribe = session.subscribe(on_event)
    waiting = asyncio.create_task(session.wait(local_ids, timeout))
    refused = asyncio.create_task(fatal.wait())
    try:
        await asyncio.wait({waiting, refused}, return_when=asyncio.FIRST_COMPLETED)
    finally:
        unsubscribe()
        progress.done()
        for task in (waiting, refused):
            task.cancel()
    if fatal.is_set() and not waiting.done():
        raise WanError("stopped waiting: the service refuses the token or account; the tasks "
                       "stay in the history: `wan-tui wait --all` once it is fixed")
    return waiting.result()


def _timed_out(ctx: CliContext, session: Session, local_ids: list[int]) -> int:
    rows = session.rows(local_ids)
    ctx.out.error(
        f"timed out with {sum(r.state in ACTIVE_STATES for r in rows)} of {len(rows)} "
        "task(s) unfinished; they stay in the history",
        hint="carry on with `wan-tui wait --all`",
    )
    if not ctx.out.json_mode:
        ctx.out.rows(r.to_json() for r in rows)
    else:
        ctx.out.json([r.to_json() for r in rows] if len(rows) != 1 else rows[0].to_json())
    return FAILED
