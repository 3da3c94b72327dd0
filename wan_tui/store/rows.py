"""One history row as the rest of the program sees it, and its JSON form (export/import)."""

from __future__ import annotations

import json
import sqlite3
from dataclasses import dataclass, field, fields
from typing import Any

from wan_tui.api.models import MODEL_ACTIONS, MODELS, GenerationRequest
from wan_tui.api.state import State, error_object
from wan_tui.store.lean import COLUMN_KEYS
from wan_tui.store.values import cost_columns, finite, json_text, json_value, small_int

# Request fields the history keeps for re-runs. callback_url is left out: it carries a
# per-session secret, and a re-run gets the callback address of the session that sends it.
_REQUEST_FIELDS = frozenset(f.name for f in fields(GenerationRequest)) - {"callback_url"}
_STATES = frozenset(State)


@dataclass(frozen=True)
class Row:
    """A generation in the history (all columns; params decoded, state as text)."""

    id: int
    task_id: str | None
    action: str
    model: str
    prompt: str
    negative_prompt: str | None
    params: dict[str, Any] = field(hash=False)
    state: str
    state_word: str
    video_url: str | None
    thumbnail_url: str | None
    video_width: int | None
    video_height: int | None
    error_code: str | None
    error_message: str | None
    trace_id: str | None
    created_at: float
    updated_at: float
    finished_at: float | None
    server_created_at: float | None
    last_polled_at: float | None
    local_path: str | None
    submitter_pid: int | None = None  # process-local bookkeeping; not exported
    usage: Any = field(default=None, hash=False)  # as the service sent it (JSON value)
    cost: Any = field(default=None, hash=False)  # as the service sent it (JSON value)
    cost_amount: float | None = None  # the cost read as a number, when its shape is known
    cost_currency: str | None = None
    remote_deleted_at: float | None = None  # when the task was deleted on the service
    adopted_at: float | None = None  # when reconciliation gave this row its task id

    @classmethod
    def from_sql(cls, row: sqlite3.Row) -> Row:
        # Only the columns this class names: a migration that adds a column breaks nothing.
        values = {name: row[name] for name in _ROW_FIELDS}
        values["params"] = full_params(values["params"], values)
        values["usage"] = json_value(values["usage"])
        values["cost"] = json_value(values["cost"])
        return cls(**values)

    @property
    def error(self) -> dict[str, str] | None:
        return error_object(self.error_code, self.error_message)

    def to_json(self) -> dict[str, Any]:
        """JSON-ready dict: the CLI's --json output and the export format."""
        out = {f.name: getattr(self, f.name) for f in fields(self)
               if f.name not in ("error_code", "error_message", "submitter_pid",
                                 "cost_amount", "cost_currency", "adopted_at")}
        out["error"] = self.error
        out["state_word"] = self.state_word or None  # null until the service has said one
        return out

    def request(self) -> GenerationRequest:
        """The request again, for a re-run (may raise InvalidRequest for odd imported data)."""
        body = {k: v for k, v in self.params.items() if k in _REQUEST_FIELDS}
        body.update(action=self.action, model=self.model, prompt=self.prompt)
        if self.negative_prompt is not None:
            body["negative_prompt"] = self.negative_prompt
        return GenerationRequest.from_body(body)


_ROW_FIELDS = tuple(f.name for f in fields(Row))


def _decode_params(text: str | None) -> dict[str, Any]:
    try:
        value = json.loads(text or "{}")
    except (ValueError, RecursionError):
        return {}
    return value if isinstance(value, dict) else {}


def full_params(text: str | None, columns: dict[str, Any]) -> dict[str, Any]:
    """A row's params: the stored ones (lean, or full in rows not migrated yet) with action,
    model, prompt and negative_prompt put back from their columns."""
    params = _decode_params(text)
    for key in COLUMN_KEYS:
        if columns.get(key) is not None and (key != "model" or columns[key]):
            params[key] = columns[key]
    return params


def encode_params(params: dict[str, Any]) -> str:
    """The params column: without what the columns hold (the prompt is stored once)."""
    lean = {k: v for k, v in params.items() if k not in COLUMN_KEYS}
    return json.dumps(lean, sort_keys=True, ensure_ascii=False, separators=(",", ":"))


def request_params(request: dict[str, Any] | GenerationRequest) -> dict[str, Any]:
    """The parameters worth keeping from a request or a submitted body."""
    body = request.params() if isinstance(request, GenerationRequest) else request
    return {k: v for k, v in body.items() if k in _REQUEST_FIELDS and v is not None}


def request_columns(request: dict[str, Any] | GenerationRequest) -> dict[str, Any]:
    """action/model/prompt/negative_prompt/params columns from a request or a task's body
    (the latter comes from the service: tolerate missing or oddly typed fields)."""
    params = request_params(request)
    model = _str(params.get("model")) or ""
    negative = params.get("negative_prompt")
    return {
        "action": _str(params.get("action")) or MODEL_ACTIONS.get(model, "text2video"),
        "model": model,
        "prompt": _str(params.get("prompt")) or "",
        "negative_prompt": negative if isinstance(negative, str) else None,
        "params": encode_params(params),
    }


# -- import ----------------------------------------------------------------------------------

_IMPORTED_TEXT = ("task_id", "video_url", "thumbnail_url", "trace_id",
                  "local_path")
_IMPORTED_INT = ("video_width", "video_height")
_IMPORTED_TIME = ("finished_at", "server_created_at", "last_polled_at", "remote_deleted_at")


def _str(value: Any) -> str | None:
    return value if isinstance(value, str) and value else None


_num = finite  # numbers SQLite can hold: 1e999 or a 400-digit integer count as missing


def columns_from_json(item: Any, now: float) -> dict[str, Any]:
    """Columns for an exported dict (the `Row.to_json` shape); raises ValueError naming the
    field when the item cannot be a history row. The local `id` is not imported."""
    if not isinstance(item, dict):
        raise ValueError("is not an object")
    state = item.get("state")
    if state not in _STATES:
        raise ValueError(f"state must be one of {', '.join(sorted(_STATES))} (got {state!r})")
    if not isinstance(item.get("prompt"), str):
        raise ValueError("has no prompt (text)")
    if not item.get("model"):
        raise ValueError("has no model")
    if item.get("model") not in MODELS:
        raise ValueError(f"model must be one of {', '.join(MODELS)} (got {item.get('model')!r})")
    if item.get("task_id") is not None and not isinstance(item.get("task_id"), str):
        raise ValueError("task_id must be text or null")
    if not isinstance(item.get("params", {}), dict):
        raise ValueError("params must be an object")
    params = item.get("params") or {}
    base = {**params, **{k: item[k] for k in ("action", "model", "prompt", "negative_prompt")
                       if k in item}}
    columns = request_columns(base)
    error: dict[str, Any] = item["error"] if isinstance(item.get("error"), dict) else {}
    created = _num(item.get("created_at")) or now
    columns.update(cost_columns(item.get("cost")), usage=json_text(item.get("usage")))
    columns.update(
        state=state,
        state_word=_str(item.get("state_word")) or "",
        error_code=_str(error.get("code")),
        error_message=_str(error.get("message")),
        created_at=created,
        updated_at=_num(item.get("updated_at")) or created,
        **{k: _str(item.get(k)) for k in _IMPORTED_TEXT},
        **{k: small_int(item.get(k)) for k in _IMPORTED_INT},
        **{k: _num(item.get(k)) for k in _IMPORTED_TIME},
    )
    return columns
