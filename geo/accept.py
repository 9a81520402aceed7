"""`geo accept DIR`: merge the rows a reviewer marked ``accepted`` in a draft into seeds/.

A draft folder (written by `geo draft`, docs/articles.md) holds ``article.txt``, ``article.meta``
and ``places.csv``, ``events.csv``, ``claims.csv`` in the columns of the seed tables plus
``status`` (``draft`` | ``accepted`` | ``rejected``). ``accept``:

1. reads the draft with the seed tables' own column checks (an error names the draft file, row
   and column);
2. gives every accepted row an id in the seeds' style when its ``id`` is empty or not in that
   style (places ``gn-<GeoNames id>`` or ``pl-<slug>``, events ``ev-<date>-<slug>``, claims
   ``cl-<slug>``) and rewrites the draft's references to it (an event's ``geometry_basis``, a
   claim's ``feature_ids``, a place's ``anchor``); fills an empty ``article_id``; drops ``status``;
3. merges them into copies of seeds/places.csv, events.csv, claims.csv (rows appended, existing
   bytes kept) and seeds/articles/<id>/, and runs the whole build on that merged copy in a
   temporary folder (every seed check and layer validation `geo build` runs; nothing written);
4. writes the changed seed files with the build's crash-safe switch (geo.io.write_files: all or
   nothing), under the build's write lock.

Re-accepting: a row whose id is already in seeds/ with the same values is skipped (counted as
already there), so accepting the same draft twice changes nothing; the same id with other values
is an error (give the row a new id). A place already in seeds/ (same id) keeps the seeds' row.
"""

from __future__ import annotations

import csv
import io as _io
import re
import shutil
import sys
import tempfile
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from geo import files, io, settings
from geo.build.article import ARTICLE_FILE, ARTICLES_DIR, META_FILE, article_id_problem, load_article
from geo.build.seeds import CLAIMS, EVENTS, PLACES, Column, Table, read_table
from geo.errors import GeoError, SeedError, ValidationFailed

STATUSES = ("draft", "accepted", "rejected")
#: The draft tables accept merges, in the order they are checked (places first: events refer to them).
TABLES: tuple[Table, ...] = (PLACES, EVENTS, CLAIMS)
_SLUG_WORDS = 6
_PLACE_ID = re.compile(r"^(gn-[0-9]+|pl-[a-z0-9]+(-[a-z0-9]+)*)$")
_EVENT_ID = re.compile(r"^ev-[0-9]{4}(-[0-9]{2}(-[0-9]{2})?)?-[a-z0-9]+(-[a-z0-9]+)*$")
_CLAIM_ID = re.compile(r"^cl-[a-z0-9]+(-[a-z0-9]+)*$")
_STOP = {"a", "an", "the", "of", "in", "on", "at", "to", "and", "by", "for", "with", "from", "its", "is", "was"}


@dataclass
class Result:
    """What an accept did: the article id, rows added and rows already in seeds/, per table."""

    article_id: str
    added: dict[str, int] = field(default_factory=dict)
    present: dict[str, int] = field(default_factory=dict)
    written: list[Path] = field(default_factory=list)


def slug(text: str, words: int = _SLUG_WORDS) -> str:
    """A lowercase ASCII slug of the first ``words`` words of ``text`` (stop words left out)."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii").lower()
    parts = [w for w in re.split(r"[^a-z0-9]+", ascii_text) if w and w not in _STOP]
    return "-".join(parts[:words]) or "item"


def _draft_table(table: Table) -> Table:
    """The draft form of a seed table as read first: its columns as plain text (a row that is not
    accepted is never checked: a draft holds placeholders only a reviewer can fill) plus status."""
    cols = tuple(Column(c.name, "text", False) for c in table.columns)
    return Table(table.filename, (*cols, Column("status", "enum", choices=STATUSES)), id_column=None)


def _check_row(path: Path, table: Table, num: int, raw: dict[str, str]) -> None:
    """One accepted draft row against the seed table's own column checks (id and article_id may be
    empty: accept fills them); SeedError naming the draft file, row and column."""
    from geo.build.seeds import _check_extent, _convert

    rec: dict[str, Any] = {}
    for col in table.columns:
        if col.name in ("id", "article_id") and not raw.get(col.name):
            continue
        try:
            rec[col.name] = _convert(col, raw.get(col.name, ""))
        except ValueError as exc:
            raise SeedError(f"{files.display(path)} row {num}, column {col.name}: {exc}") from None
    if all(c.name in rec for c in table.columns if c.type in ("lat", "lon")):
        _check_extent(table, rec, files.display(path), num)


def _raw_rows(path: Path) -> tuple[list[str], dict[int, dict[str, str]]]:
    """Header and {row number: {column: stripped text}} of a CSV (row 1 is the header; a row is a
    CSV record, as geo.seeds.read_table counts them; blank records are numbered but left out)."""
    text = path.read_text(encoding="utf-8-sig")
    rows = list(csv.reader(_io.StringIO(text, newline=""), strict=True))
    header = [h.strip() for h in rows[0]] if rows else []
    out = {}
    for num, raw in enumerate(rows[1:], start=2):
        if any(cell.strip() for cell in raw):
            out[num] = {h: v.strip() for h, v in zip(header, raw, strict=True)}
    out[0] = {"records": str(len(rows))}  # how many records, blank ones included (key 0: no row)
    return header, out


def _read_draft(path: Path, table: Table) -> list[tuple[int, dict[str, str]]]:
    """The accepted rows of one draft table as (draft row number, raw values), checked column by column."""
    if not path.is_file():
        raise SeedError(f"{files.display(path)}: file not found (a draft holds {', '.join(t.filename for t in TABLES)})")
    try:
        typed = read_table(path, _draft_table(table))
    except SeedError as exc:
        if str(exc).endswith(": no data rows"):
            return []
        raise
    _, raw = _raw_rows(path)
    raw.pop(0)
    # geo draft wrote text a spreadsheet would run as a formula with OWASP's apostrophe: read it back
    out = [(r["_row"], {k: files.csv_cell_restore(v) for k, v in raw[r["_row"]].items() if k != "status"})
           for r in typed if r["status"] == "accepted"]
    for num, row in out:
        _check_row(path, table, num, row)
    return out


def _where(draft: Path, table: Table, row: int, column: str) -> str:
    return f"{files.display(draft / table.filename)} row {row}, column {column}"


def _assign_ids(draft: Path, rows: dict[str, list[tuple[int, dict[str, str]]]], aid: str) -> None:
    """Give every accepted row its seeds-style id (in place) and rewrite the references to it."""
    renamed: dict[str, str] = {}
    for table, pattern in ((PLACES, _PLACE_ID), (EVENTS, _EVENT_ID), (CLAIMS, _CLAIM_ID)):
        used: dict[str, int] = {}
        for num, r in rows[table.filename]:
            old = r.get("id", "")
            if table is PLACES:
                gid = r.get("geonames_id", "")
                new = old if pattern.match(old) else f"gn-{gid}" if gid else f"pl-{slug(r.get('name', ''))}"
                if gid and new.startswith("gn-") and new != f"gn-{gid}":
                    raise SeedError(f"{_where(draft, table, num, 'id')}: {new!r} does not match geonames_id {gid} "
                                    f"(a GeoNames place's id is gn-<GeoNames id>)")
            elif table is EVENTS:
                new = old if pattern.match(old) else \
                    f"ev-{r.get('event_date', '')}-{slug(r.get('sub_event_type', '') + ' ' + r.get('location', ''))}"
            else:
                new = old if pattern.match(old) else f"cl-{slug(r.get('topic', '') + ' ' + r.get('claim', ''))}"
            if new in used:
                raise SeedError(f"{_where(draft, table, num, 'id')}: id {new!r} is also given to row {used[new]}; "
                                "give one of them its own id")
            used[new] = num
            if old and old != new:
                renamed[old] = new
            r["id"] = new
            if table is not PLACES:
                if r.get("article_id") and r["article_id"] != aid:
                    raise SeedError(f"{_where(draft, table, num, 'article_id')}: {r['article_id']!r} is not this "
                                    f"draft's article {aid!r}")
                r["article_id"] = aid

    def sub(value: str, sep: str) -> str:
        return sep.join(renamed.get(p, p) for p in value.split(sep)) if value else value

    for _, r in rows[EVENTS.filename]:
        kind, _, rest = r.get("geometry_basis", "").partition(":")
        if rest:
            r["geometry_basis"] = f"{kind}:{':'.join(sub(p, ';') for p in rest.split(':'))}"
    for _, r in rows[CLAIMS.filename]:
        r["feature_ids"] = sub(r.get("feature_ids", ""), ";")
    for _, r in rows[PLACES.filename]:
        r["anchor"] = renamed.get(r.get("anchor", ""), r.get("anchor", ""))


def _csv_line(values: list[str]) -> str:
    buf = _io.StringIO()
    csv.writer(buf, lineterminator="\n").writerow(values)
    return buf.getvalue()


def _merge_table(seeds_dir: Path, draft: Path, table: Table, rows: list[tuple[int, dict[str, str]]],
                 result: Result) -> tuple[str, dict[int, int]]:
    """The merged text of one seed table and {merged row number: draft row number} of its new rows."""
    path = seeds_dir / table.filename
    text = path.read_text(encoding="utf-8")
    header, existing = _raw_rows(path)
    last = int(existing.pop(0)["records"])  # the merged file's rows continue after its last record
    by_id = {r.get("id"): (num, r) for num, r in existing.items()}
    if text and not text.endswith("\n"):
        text += "\n"
    new_rows: dict[int, int] = {}
    added = present = 0
    for num, r in rows:
        values = {h: r.get(h, "") for h in header}
        if r["id"] in by_id:
            seed_num, seed_row = by_id[r["id"]]
            if table is PLACES or seed_row == values:
                present += 1  # already accepted (or a place the seeds already hold): the seeds' row stays
                continue
            raise SeedError(f"{_where(draft, table, num, 'id')}: {r['id']!r} is already in "
                            f"{files.display(path)} (row {seed_num}) with other values; give this row a new id "
                            "or edit the seed row")
        text += _csv_line([values[h] for h in header])
        last += 1
        new_rows[last] = num
        added += 1
    result.added[table.filename], result.present[table.filename] = added, present
    return text, new_rows


def _article_files(draft: Path, seeds_dir: Path, aid: str) -> dict[Path, bytes]:
    """seeds/articles/<id>/ files to write: the draft's article (checked); nothing if already there."""
    out: dict[Path, bytes] = {}
    dest = seeds_dir / ARTICLES_DIR / aid
    for name in (ARTICLE_FILE, META_FILE):
        src = draft / name
        data = src.read_bytes() if src.is_file() else b""
        if name == ARTICLE_FILE and not data:
            raise SeedError(f"{files.display(src)}: file not found or empty (the article text)")
        if (dest / name).is_file():
            if (dest / name).read_bytes() != data:
                raise SeedError(f"{files.display(dest / name)} already exists and differs from "
                                f"{files.display(src)}: article {aid!r} is in seeds/ with another text or metadata")
            continue
        out[dest / name] = data
    return out


def _remap(message: str, tmp: Path, seeds_dir: Path, draft: Path, new_rows: dict[str, dict[int, int]]) -> str:
    """A check's message about the merged copy, pointed at the draft row it came from (or at seeds/)."""
    message = message.replace(str(tmp) + "/", "seeds/").replace(files.display(tmp) + "/", "seeds/")

    def point(m: re.Match[str]) -> str:
        fname, num = m.group(1), int(m.group(2))
        if num in new_rows.get(fname, {}):
            return f"{files.display(draft / fname)} row {new_rows[fname][num]}"
        return f"{files.display(seeds_dir / fname)} row {num}"

    return re.sub(r"seeds/(places\.csv|events\.csv|claims\.csv) row (\d+)", point, message)


def _check_merged(seeds_dir: Path, merged: dict[Path, bytes], draft: Path,
                  new_rows: dict[str, dict[int, int]], ids: dict[str, str]) -> None:
    """Build everything from seeds/ + the merged files in a temporary copy; raise SeedError naming the
    draft's row when a seed check or a layer validation fails."""
    from geo import pipeline

    with tempfile.TemporaryDirectory(prefix="geo-accept-") as name:
        tmp = Path(name) / "seeds"
        shutil.copytree(seeds_dir, tmp)
        for path, data in merged.items():
            target = tmp / path.relative_to(seeds_dir)
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(data)
        try:
            pipeline.validate(pipeline.assemble(tmp))
        except ValidationFailed as exc:
            first = exc.problems[0] if exc.problems else str(exc)
            hit = next((f"{loc}: " for fid, loc in ids.items() if fid in first), "")
            raise SeedError(f"{hit}the merged seeds fail validation ({len(exc.problems)} problem(s)): {first}") from None
        except GeoError as exc:
            raise SeedError(_remap(str(exc), tmp, seeds_dir, draft, new_rows)) from None


def accept(draft_dir: Path, *, seeds_dir: Path | None = None) -> Result:
    """Merge the accepted rows of ``draft_dir`` into ``seeds_dir`` (all or nothing); see the module doc."""
    draft = Path(draft_dir)
    sdir = Path(seeds_dir or settings.SEEDS_DIR)
    if not draft.is_dir():
        raise SeedError(f"{files.display(draft)}: not a folder (expected a draft folder written by `geo draft`)")
    from geo.build.article import _read_meta

    meta_id = _read_meta(draft / META_FILE).get("id") or draft.name
    load_article(draft, article_id=meta_id)  # checks the text and its meta (a meta id must be the article id)
    problem = article_id_problem(meta_id)
    if problem:
        raise SeedError(f"{files.display(draft / META_FILE)}: article id {meta_id!r} (its id, else the folder's "
                        f"name) {problem}")
    rows = {t.filename: _read_draft(draft / t.filename, t) for t in TABLES}
    if not any(rows.values()):
        raise SeedError(f"{files.display(draft)}: no row is marked accepted (set status to accepted in "
                        f"{', '.join(t.filename for t in TABLES)} for the rows to merge)")
    _assign_ids(draft, rows, meta_id)
    state = sdir.absolute().parent
    result = Result(meta_id)
    with io.write_lock(state):
        merged: dict[Path, bytes] = _article_files(draft, sdir, meta_id)
        new_rows: dict[str, dict[int, int]] = {}
        for t in TABLES:
            text, new_rows[t.filename] = _merge_table(sdir, draft, t, rows[t.filename], result)
            if new_rows[t.filename]:
                merged[sdir / t.filename] = text.encode("utf-8")
        ids = {r["id"]: f"{files.display(draft / t.filename)} row {num}"
               for t in TABLES for num, r in rows[t.filename]}
        if not merged:
            return result
        _check_merged(sdir, merged, draft, new_rows, ids)
        result.written = io.write_files(merged, state_dir=state)
    return result


def accept_cli(args: Any) -> int:
    """`geo accept DIR [--seeds DIR]`: one summary line on stdout."""
    res = accept(Path(args.draft), seeds_dir=Path(args.seeds) if args.seeds else None)
    parts = [f"{res.added.get(t.filename, 0)} {t.filename[:-4]}" + (
        f" ({res.present[t.filename]} already in seeds/)" if res.present.get(t.filename) else "") for t in TABLES]
    if not res.written:
        print(f"accept {res.article_id}: nothing new (every accepted row is already in seeds/); seeds/ unchanged")
        return 0
    print(f"accepted {res.article_id} into seeds/: {', '.join(parts)}; {len(res.written)} file(s) written. "
          "Run `geo build` to rebuild the layers and the map.", file=sys.stdout)
    return 0
