"""The write journal is untrusted input (issue 20): a planted, edited or foreign `.geo-switch.json`
is refused with one line and nothing is deleted or renamed; a folder moved after a kill still
recovers; an output replaced by a directory (or link, or device) is refused by name before anything
switches."""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from geo import io
from geo.cli import main
from geo.errors import GeoError

BORDER = Path(__file__).resolve().parent.parent / "layers" / "border.geojson"
NAMES = ["a.geojson", "b.geojson", "c.csv", "d.json"]


def _gen(root: Path, tag: str) -> dict[Path, bytes]:
    return {root / "layers" / n: f"{tag} {n}\n".encode() * (i + 1) for i, n in enumerate(NAMES)}


def _state(root: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() if p.is_file() and not p.is_symlink() else b"<not a file>"
            for p in sorted((root / "layers").iterdir())}


def _lengths_here(state: Path, capsys: pytest.CaptureFixture[str]) -> tuple[int, list[str]]:
    """Any `geo` command naming a folder under ``state`` recovers its journal first."""
    rc = main(["lengths", "--layers-dir", str(state / "layers"), str(BORDER)])
    return rc, capsys.readouterr().err.splitlines()


@pytest.mark.parametrize("phase", ["staging", "commit"])
def test_a_planted_journal_with_absolute_paths_touches_nothing(tmp_path: Path, phase: str,
                                                               capsys: pytest.CaptureFixture[str]) -> None:
    """The adversarial run's case: a journal naming /abs/victim.txt made any geo command delete
    (staging) or overwrite (commit) it, exit 0. Now: one line, exit 2, the victim intact."""
    victim = tmp_path / "victim.txt"
    victim.write_text("keep")
    other = tmp_path / "other.txt"
    other.write_text("attacker")
    state = tmp_path / "dl"
    (state / "layers").mkdir(parents=True)
    entries = [[str(victim), str(victim)], [str(other), str(victim)]]
    (state / io.JOURNAL).write_text(json.dumps({"phase": phase, "files": entries}))
    rc, err = _lengths_here(state, capsys)
    assert rc == 2 and len(err) == 1, err
    assert "write journal" in err[0] and "nothing was renamed or deleted" in err[0]
    assert victim.read_text() == "keep" and other.read_text() == "attacker"
    assert (state / io.JOURNAL).exists()  # left for the user to inspect


HOSTILE_ENTRIES = [
    "/etc/passwd", "../victim.txt", "layers/../../victim.txt", "layers/./x", "x.geojson", "layers/.hidden",
    "layers\\x", "layers//x", "", 7, None, ["layers/x"],
]


@pytest.mark.parametrize("entry", HOSTILE_ENTRIES, ids=[repr(e) for e in HOSTILE_ENTRIES])
def test_journal_entries_outside_the_output_folders_are_refused(tmp_path: Path, entry: object) -> None:
    (tmp_path / "layers").mkdir()
    victim = tmp_path / "victim.txt"
    victim.write_text("keep")
    doc = {"version": io.JOURNAL_VERSION, "id": "0" * 32, "phase": "commit", "files": [[entry, "a" * 64]]}
    (tmp_path / io.JOURNAL).write_text(json.dumps(doc))
    with pytest.raises(io.JournalError):
        io.recover(tmp_path)
    assert victim.read_text() == "keep" and (tmp_path / io.JOURNAL).exists()


def test_a_journal_through_a_symlinked_folder_is_refused(tmp_path: Path) -> None:
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (elsewhere / "x").write_text("keep")
    (elsewhere / ".x.geo-new").write_text("planted")
    state = tmp_path / "dl"
    state.mkdir()
    (state / "layers").symlink_to(elsewhere)
    digest = io._sha256(b"planted")
    doc = {"version": io.JOURNAL_VERSION, "id": "0" * 32, "phase": "commit", "files": [["layers/x", digest]]}
    (state / io.JOURNAL).write_text(json.dumps(doc))
    with pytest.raises(io.JournalError):
        io.recover(state)
    assert (elsewhere / "x").read_text() == "keep"


KILLER = """
import sys
from pathlib import Path
from geo import io
root, tag = Path(sys.argv[1]), sys.argv[2]
names = NAMES_JSON
io.write_files({root / "layers" / n: f"{tag} {n}\\n".encode() * (i + 1) for i, n in enumerate(names)}, state_dir=root)
""".replace("NAMES_JSON", json.dumps(NAMES))


def _kill_at(root: Path, step: int) -> None:
    env = {**os.environ, io.FAULT_KILL_ENV: str(step)}
    proc = subprocess.run([sys.executable, "-c", KILLER, str(root), "new"], env=env, capture_output=True,
                          timeout=60, check=False)
    assert proc.returncode == -signal.SIGKILL, proc.stderr[-2000:]


def _old(root: Path) -> Path:
    io.write_files(_gen(root, "old"), state_dir=root)
    return root


#: Steps: 1 journal, 2-5 stage each file, 6 commit, 7-10 rename each, 11 done.
COMMIT_STEP = 2 + len(NAMES)


def test_a_folder_moved_after_a_kill_recovers(tmp_path: Path) -> None:
    """Killed after the commit point (2 of 4 renamed), then `mv`: the next command run on the moved
    folder completes the switch (the journal names targets relative to its folder)."""
    root = _old(tmp_path / "a")
    _kill_at(root, COMMIT_STEP + 3)
    mixed = _state(root)
    assert sum(v.startswith(b"new") for k, v in mixed.items() if not k.startswith(".")) == 2
    moved = tmp_path / "moved"
    shutil.move(str(root), moved)
    assert io.recover(moved) == 2
    assert _state(moved) == {p.name: d for p, d in _gen(moved, "new").items()}
    assert not (moved / io.JOURNAL).exists()


def test_a_folder_moved_after_a_kill_before_the_commit_stays_old(tmp_path: Path) -> None:
    root = _old(tmp_path / "a")
    _kill_at(root, COMMIT_STEP - 1)
    moved = tmp_path / "moved"
    shutil.move(str(root), moved)
    assert io.recover(moved) == 0
    assert _state(moved) == {p.name: d for p, d in _gen(moved, "old").items()}


@pytest.mark.parametrize("kind", ["directory", "symlink", "fifo"])
def test_a_target_that_is_not_a_file_is_refused_before_anything_switches(tmp_path: Path, kind: str) -> None:
    root = _old(tmp_path)
    target = root / "layers" / NAMES[2]
    target.unlink()
    if kind == "directory":
        target.mkdir()
    elif kind == "symlink":
        target.symlink_to(root / "elsewhere.txt")
    else:
        os.mkfifo(target)
    before = _state(root)
    with pytest.raises(GeoError, match=rf"layers/{NAMES[2]}: output is .*nothing was changed"):
        io.write_files(_gen(root, "new"), state_dir=root)
    assert _state(root) == before and not (root / io.JOURNAL).exists()
    assert not (root / "elsewhere.txt").exists()


def test_an_output_replaced_by_a_directory_after_the_commit_is_named(tmp_path: Path,
                                                                     capsys: pytest.CaptureFixture[str]) -> None:
    """Killed after the commit, then an output not yet renamed becomes a folder: the next command
    refuses naming that output (not a hidden temp) and switches nothing; once it is moved away
    the switch completes."""
    root = _old(tmp_path)
    _kill_at(root, COMMIT_STEP + 2)  # one file renamed
    target = root / "layers" / NAMES[3]
    target.unlink()
    target.mkdir()
    before = _state(root)
    rc, err = _lengths_here(root, capsys)
    assert rc == 2 and len(err) == 1 and f"layers/{NAMES[3]}: output is a directory" in err[0], err
    assert ".geo-new" not in err[0]
    assert _state(root) == before
    target.rmdir()
    assert io.recover(root) == 3
    assert _state(root) == {p.name: d for p, d in _gen(root, "new").items()}


def test_a_staged_file_changed_after_the_commit_is_not_renamed(tmp_path: Path) -> None:
    """The journal records each staged file's SHA-256: a temp swapped after the commit (by another
    program, or a journal copied from elsewhere) is refused, nothing renamed."""
    root = _old(tmp_path)
    _kill_at(root, COMMIT_STEP + 1)  # committed, nothing renamed
    tmp = root / "layers" / f".{NAMES[0]}{io.STAGED_SUFFIX}"
    tmp.write_bytes(b"tampered")
    before = _state(root)
    with pytest.raises(io.JournalError, match="does not hold the bytes"):
        io.recover(root)
    assert _state(root) == before


def test_recover_undoes_a_staging_journal_and_completes_a_committed_one(tmp_path: Path) -> None:
    """Killed before the commit: the temps go, the old files stay; after it: the new files land."""
    root = _old(tmp_path / "s")
    _kill_at(root, COMMIT_STEP)  # every temp staged, journal still "staging"
    assert any(n.endswith(io.STAGED_SUFFIX) for n in _state(root))
    assert io.recover(root) == 0
    assert _state(root) == {p.name: d for p, d in _gen(root, "old").items()}
    root = _old(tmp_path / "c")
    _kill_at(root, COMMIT_STEP + 1)
    assert io.recover(root) == len(NAMES)
    assert _state(root) == {p.name: d for p, d in _gen(root, "new").items()}


def test_outputs_outside_the_state_folder_are_refused(tmp_path: Path) -> None:
    with pytest.raises(GeoError, match="must lie inside the folder"):
        io.write_files({tmp_path / "x" / "a.txt": b"a"}, state_dir=tmp_path / "elsewhere")
    assert not (tmp_path / "x").exists()
