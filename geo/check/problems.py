"""How a problem is written: ``<layer>:<feature id>: <rule>: <detail>``, details kept short."""

from __future__ import annotations

import re
from typing import Any

#: Longest detail kept in a problem line (a 10 MB string must not be echoed).
DETAIL_MAX = 240
#: HTML or script inside a text value (rule ``markup``).
MARKUP = re.compile(r"<\s*[A-Za-z/!?]|javascript:|\bon[a-z]+\s*=", re.IGNORECASE)


def short(text: Any, limit: int = DETAIL_MAX) -> str:
    s = str(text)
    return s if len(s) <= limit else s[: limit - 1] + "…"


def problem(layer: str, fid: str, rule: str, detail: str) -> str:
    return f"{layer}:{fid}: {rule}: {short(detail)}"


def fmt_pos(pos: Any) -> str:
    try:
        return f"[{short(pos[0], 24)}, {short(pos[1], 24)}]"
    except (TypeError, IndexError, KeyError):
        return short(repr(pos), 40)


def is_number(x: Any) -> bool:
    return isinstance(x, (int, float)) and not isinstance(x, bool)


def json_type(v: Any) -> str:
    if v is None:
        return "null"
    if isinstance(v, bool):
        return "boolean"
    if isinstance(v, (int, float)):
        return "number"
    if isinstance(v, str):
        return "string"
    if isinstance(v, list):
        return "array"
    return "object"
