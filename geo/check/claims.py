"""The claims ledger (layers/claims.json): ids, article spans, markup, schema, feature references."""

from __future__ import annotations

from typing import Any

from geo.check.features import article_span
from geo.check.problems import MARKUP, problem, short
from geo.check.schema import schema_problems


def _check_claim(name: str, c: dict[str, Any], all_ids: set[str] | None) -> list[str]:
    problems = [problem("claims", name, rule, detail) for rule, detail in article_span(c)]
    for key, value in c.items():
        if isinstance(value, str) and MARKUP.search(value) and key != "source_urls":
            problems.append(problem("claims", name, "markup", f"{key}: contains HTML or script"))
    refs = c.get("feature_ids")
    if all_ids is not None and isinstance(refs, list):
        missing = [r for r in refs if isinstance(r, str) and r not in all_ids]
        if missing:
            problems.append(problem("claims", name, "claims-ref", f"feature_ids {missing} are in no layer"))
    return problems


def check_claims(claims: Any, all_ids: set[str] | None) -> tuple[list[str], int]:
    """Every problem of the ledger and its claim count; ``all_ids`` (every feature id of every
    layer) is None when not every layer was given, and then references are not checked."""
    problems: list[str] = []
    if not isinstance(claims, dict) or not isinstance(claims.get("claims"), list):
        return [problem("claims", "*", "collection", "expected an object with a 'claims' array")], 0
    items = claims["claims"]
    by_index: dict[int, str] = {}
    seen: set[str] = set()
    for i, c in enumerate(items):
        cid = c.get("id") if isinstance(c, dict) else None
        name = short(cid, 80) if isinstance(cid, str) and cid else f"#{i + 1}"
        by_index[i] = name
        if isinstance(cid, str):
            if cid in seen:
                problems.append(problem("claims", name, "duplicate-id", "id used twice"))
            seen.add(cid)
        if isinstance(c, dict):
            problems.extend(_check_claim(name, c, all_ids))
    for path, msg in schema_problems("claims", claims):
        if len(path) >= 2 and path[0] == "claims" and isinstance(path[1], int):
            sub = ".".join(str(p) for p in path[2:])
            detail = msg.split(": ", 1)[1] if ": " in msg else msg
            problems.append(problem("claims", by_index.get(path[1], f"#{path[1] + 1}"), "schema",
                                    f"{sub}: {detail}" if sub else detail))
        else:
            problems.append(problem("claims", "*", "schema", msg))
    return problems, len(items)
