"""Rule ``schema``: each feature against its layer's JSON Schema (geo/schemas/, via geo.catalog)."""

from __future__ import annotations

from typing import Any

from geo import catalog
from geo.check.problems import short
from geo.dates import parse_partial_date

#: Layer name -> (its schema, the validator compiled from it): compiled once per schema.
_VALIDATORS: dict[str, tuple[dict[str, Any], Any]] = {}


def validator(name: str) -> Any:
    """The jsonschema validator of layer ``name`` (or ``claims``), with the ``partial-date`` format."""
    sch = catalog.schema(name)
    hit = _VALIDATORS.get(name)
    if hit is None or hit[0] is not sch:
        hit = (sch, _compile(sch))
        _VALIDATORS[name] = hit
    return hit[1]


def _compile(sch: dict[str, Any]) -> Any:
    import jsonschema

    checker = jsonschema.FormatChecker()

    @checker.checks("partial-date", raises=ValueError)
    def _partial_date(value: object) -> bool:
        if isinstance(value, str):
            parse_partial_date(value)
        return True

    cls = jsonschema.validators.validator_for(sch)
    return cls(sch, format_checker=checker)


def _message(err: Any) -> str:
    shown = short(repr(err.instance), 60)  # jsonschema repeats the (possibly huge) instance
    if err.validator == "format":
        return f"{shown} is not a valid date (YYYY, YYYY-MM or YYYY-MM-DD)"
    if err.validator == "type":
        return f"{shown} is not of type {err.validator_value}"
    if err.validator == "enum":
        return f"{shown} is not one of {err.validator_value}"
    if err.validator == "pattern":
        return f"{shown} does not match {err.validator_value}"
    if err.validator in ("const", "minLength"):
        return f"{shown} {err.message.split(' ', 1)[1] if ' ' in err.message else err.message}"
    return str(err.message)


def schema_problems(name: str, instance: Any) -> list[tuple[list[Any], str]]:
    """``[(path, "<path>: <message>")]`` of ``instance`` against the schema of ``name``, in a fixed order."""
    out = []
    for err in validator(name).iter_errors(instance):
        path = list(err.absolute_path)
        where = ".".join(str(p) for p in path)
        msg = _message(err)
        out.append((path, f"{where}: {msg}" if where else msg))
    out.sort(key=lambda t: (len(t[0]), [str(p) for p in t[0]], t[1]))
    return out
