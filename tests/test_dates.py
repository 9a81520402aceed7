"""geo.dates: the one home of partial ISO dates and ACLED's date rule."""

from __future__ import annotations

import datetime as dt

import pytest

from geo import dates


def test_parse_partial_date_bounds() -> None:
    assert dates.parse_partial_date("2024-02") == (dt.date(2024, 2, 1), dt.date(2024, 2, 29), "month")
    assert dates.parse_partial_date("1995") == (dt.date(1995, 1, 1), dt.date(1995, 12, 31), "year")
    assert dates.parse_partial_date("2024-01-16") == (dt.date(2024, 1, 16), dt.date(2024, 1, 16), "day")
    for bad in ("2024-02-30", "2024-13", "24-01-01", "2024/01/01", ""):
        with pytest.raises(ValueError):
            dates.parse_partial_date(bad)


def test_acled_rule() -> None:
    assert dates.acled_date("2024-01-16") == ("2024-01-16", 1)
    assert dates.acled_date("2024-04-22", "2024-04-24") == ("2024-04-23", 2)  # span of days: middle
    assert dates.acled_date("2024-02") == ("2024-02-15", 3)  # a month: the 15th
    assert dates.acled_date("1995") == ("1995-07-02", 3)  # coarser than ACLED knows: middle day
    assert dates.acled_date("2024-04-01", "2024-04-30") == ("2024-04-15", 3)


def test_one_home() -> None:
    """Every module uses geo.dates; none but geo/dates.py keeps its own partial-date pattern."""
    from pathlib import Path

    import geo

    root = Path(geo.__file__).parent
    modules = [p for p in root.rglob("*.py") if p.name != "dates.py" and "node_modules" not in p.parts]
    assert len(modules) > 40
    for path in modules:
        text = path.read_text(encoding="utf-8")
        assert "(\\d{4})(?:-(\\d{2})" not in text, path
