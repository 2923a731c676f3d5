"""The API's one JSON body parser: a bounded object, or a 422 that says why.

``request.get_json`` parses whatever arrives: 200,000 nested brackets overflow the
decoder's recursion (a 500 on every JSON endpoint), and a ``\\ud800`` escape yields a
string that neither UTF-8 nor PostgreSQL can hold, which crashed wherever it was
written (the audit log, the store, the response).  :func:`json_object` therefore

* refuses a body longer than :data:`MAX_BYTES` (no API body is near it: the
  largest is a cost scenario's YAML text),
* counts the nesting of brackets outside strings *before* parsing and refuses more
  than :data:`MAX_DEPTH` levels (the API's bodies have three),
* refuses a lone surrogate in any string or key, naming the field,

so every field a view reads is a plain, storable value; each view then checks its
text fields against their store columns (:func:`planner.intake.lengths.check_text`).
"""

from __future__ import annotations

import json
import re
from itertools import accumulate
from typing import Any

from planner.errors import UserError

#: bytes of a JSON request body
MAX_BYTES = 1024 * 1024
#: levels of nested objects and lists
MAX_DEPTH = 16
#: entries in a body's list of changes (the overrides or pins of one request): a day's
#: triage has at most a few hundred tickets; 10,000 overrides in a 700 KB body kept the
#: server busy for 5 minutes (a district check, a write and an audit row each), and
#: 30,000 pins of made-up visits were copied into the job, the plan and the audit log
MAX_ITEMS = 500

_STRING = re.compile(rb'"(?:[^"\\]|\\.)*"', re.DOTALL)
_BRACKET = re.compile(rb"[\[\]{}]")


def depth(raw: bytes) -> int:
    """The deepest nesting of ``[`` and ``{`` outside strings (C-speed regexes, no recursion)."""
    steps = [1 if b in b"[{" else -1 for b in _BRACKET.findall(_STRING.sub(b'""', raw))]
    return max(accumulate(steps), default=0)


def _lone_surrogate(value: Any, path: str) -> str | None:
    """The path of the first string or key holding a lone surrogate, or None."""
    if isinstance(value, str):
        try:
            value.encode("utf-8")
        except UnicodeEncodeError:
            return path or "body"
        return None
    items = value.items() if isinstance(value, dict) else enumerate(value) if isinstance(value, list) else ()
    for key, item in items:
        where = f"{path}.{key}" if path and isinstance(key, str) else f"{path}[{key}]" if path else str(key)
        if isinstance(key, str) and _lone_surrogate(key, where):
            return f"{path or 'the body'} (a key)"  # not the key itself: it cannot be shown
        found = _lone_surrogate(item, where)
        if found:
            return found
    return None


def json_object(raw: bytes, *, empty_ok: bool = False) -> dict[str, Any]:
    """The body as a JSON object (``{}`` for an empty body when ``empty_ok``), else UserError."""
    if empty_ok and not raw.strip():
        return {}
    if len(raw) > MAX_BYTES:
        raise UserError(f"the request body has {len(raw)} bytes; at most {MAX_BYTES}")
    if depth(raw) > MAX_DEPTH:
        raise UserError(f"the request body nests objects or lists more than {MAX_DEPTH} levels deep")
    try:
        body = json.loads(raw)
    except (ValueError, RecursionError):  # RecursionError: only if MAX_DEPTH were raised past the decoder's limit
        body = None
    if not isinstance(body, dict):
        raise UserError("the request body must be a JSON object")
    bad = _lone_surrogate(body, "")
    if bad:
        raise UserError(f"{bad}: a lone surrogate (an unpaired \\ud800–\\udfff escape) is not allowed")
    return body
