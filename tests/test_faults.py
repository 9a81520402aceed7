"""Fault injection in the style of SQLite's test VFS (issue 20): every write, fsync and rename of
an output switch fails in turn (ENOSPC, EIO), and the machine loses power at every step (all that
was not fsynced is dropped); each time the next `geo` command leaves the outputs wholly the old or
wholly the new generation, with no temp file or journal left.

The power cut is simulated in-process: ``Disk`` wraps the os functions geo/io.py calls and keeps
what a crash would preserve (a file's bytes as of its last fsync, a folder's entries as of the
folder's last fsync); at the cut every later call fails, and the folder is rewritten to exactly
that durable state before the next command runs.
"""

from __future__ import annotations

import errno
import os
import stat
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest

from geo import io

NAMES = ["border.geojson", "events.csv", "markets.geojson", "pipeline.geojson", "frontier.gpkg"]
#: One output is unchanged between the generations (so it is never rewritten).
SAME = "pipeline.geojson"


def _gen(root: Path, tag: str) -> dict[Path, bytes]:
    out = {}
    for i, n in enumerate(NAMES):
        body = f"{'same' if n == SAME else tag} {n}\n".encode() * (50 * (i + 1))
        out[root / ("maps" if n.endswith(".gpkg") else "layers") / n] = body
    return out


def _snapshot(root: Path) -> dict[str, bytes]:
    """Every file under ``root`` (journal and temps included) by relative path."""
    found = {}
    for dirpath, _dirs, fnames in os.walk(root):
        for f in fnames:
            p = Path(dirpath) / f
            found[str(p.relative_to(root))] = p.read_bytes() if p.is_file() else b"<special>"
    return found


def _expect(root: Path, tag: str) -> dict[str, bytes]:
    return {str(p.relative_to(root)): d for p, d in _gen(root, tag).items()}


class PowerCut(BaseException):
    """The machine lost power: nothing after this call reaches the disk."""


MUTATING = ("write", "fsync", "replace", "rename", "unlink", "open", "mkdir", "rmdir")


class Disk:
    """What survives a power cut: file bytes as of their last fsync, folder entries as of the
    folder's last fsync. Counts calls; fails the k-th call of ``fail_op`` with ``fail_errno``,
    or cuts the power at the k-th mutating call."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.data: dict[int, bytes] = {}
        self.entries: dict[str, dict[str, int | None]] = {}
        for dirpath, dirs, fnames in os.walk(root):
            self.entries[dirpath] = {}
            for d in dirs:
                self.entries[dirpath][d] = None
            for f in fnames:
                st = os.lstat(os.path.join(dirpath, f))
                self.entries[dirpath][f] = st.st_ino
                self.data[st.st_ino] = Path(dirpath, f).read_bytes()
        self.calls: dict[str, int] = dict.fromkeys(MUTATING, 0)
        self.total = 0
        self.fail_op: str | None = None
        self.fail_at = 0
        self.fail_errno = 0
        self.cut_at = 0
        self.cut = False

    def _listing(self, d: str) -> dict[str, int | None]:
        out: dict[str, int | None] = {}
        for name in os.listdir(d):
            st = os.lstat(os.path.join(d, name))
            out[name] = None if stat.S_ISDIR(st.st_mode) else st.st_ino
        return out

    def before(self, op: str, args: tuple[Any, ...], kwargs: dict[str, Any]) -> None:
        if op == "open":
            flags = args[1] if len(args) > 1 else kwargs.get("flags", 0)
            if not flags & os.O_CREAT:
                return
        if self.cut:
            raise PowerCut(op)
        self.calls[op] += 1
        self.total += 1
        if self.cut_at and self.total == self.cut_at:
            self.cut = True
            raise PowerCut(op)
        if self.fail_op == op and self.calls[op] == self.fail_at:
            raise OSError(self.fail_errno, os.strerror(self.fail_errno))

    def after(self, op: str, args: tuple[Any, ...], result: Any) -> None:
        if op == "open" and isinstance(result, int):
            st = os.fstat(result)
            if stat.S_ISREG(st.st_mode) and st.st_size == 0:
                self.data[st.st_ino] = b""  # a new file: nothing of it is durable yet
        if op == "fsync":
            fd = args[0]
            st = os.fstat(fd)
            path = os.readlink(f"/proc/self/fd/{fd}")
            if stat.S_ISDIR(st.st_mode):
                self.entries[path] = self._listing(path)
            else:
                with open(f"/proc/self/fd/{fd}", "rb") as fh:
                    self.data[st.st_ino] = fh.read()

    def restore(self) -> None:
        """Rewrite the folders to what the disk would hold after the cut."""
        for d, names in sorted(self.entries.items()):
            if not os.path.isdir(d):
                os.makedirs(d)
            now = set(os.listdir(d))
            contents = {n: self.data.get(ino, b"") for n, ino in names.items() if ino is not None}
            for n in now - set(names):
                p = os.path.join(d, n)
                if os.path.isdir(p) and not os.path.islink(p):
                    if os.path.join(d, n) not in self.entries:
                        import shutil

                        shutil.rmtree(p)
                else:
                    os.unlink(p)
            for n, body in contents.items():
                p = os.path.join(d, n)
                if os.path.lexists(p):
                    os.unlink(p)
                with open(p, "wb") as fh:
                    fh.write(body)


@contextmanager
def injected(monkeypatch: pytest.MonkeyPatch, disk: Disk) -> Iterator[None]:
    originals: dict[str, Callable[..., Any]] = {op: getattr(os, op) for op in MUTATING}

    def wrap(op: str) -> Callable[..., Any]:
        real = originals[op]

        def call(*args: Any, **kwargs: Any) -> Any:
            disk.before(op, args, kwargs)
            result = real(*args, **kwargs)
            disk.after(op, args, result)
            return result

        return call

    with monkeypatch.context() as m:
        for op in MUTATING:
            m.setattr(os, op, wrap(op))
        yield


def _old(root: Path) -> None:
    io.write_files(_gen(root, "old"), state_dir=root)


def _run_switch(tmp: Path, monkeypatch: pytest.MonkeyPatch, configure: Callable[[Disk], None]) -> tuple[Disk, str]:
    """Old generation written, then the new one under ``configure``d faults, then the next
    command (recovery). Returns the disk and which generation the folder holds afterwards."""
    root = tmp
    _old(root)
    disk = Disk(root)
    configure(disk)
    with injected(monkeypatch, disk):
        try:
            io.write_files(_gen(root, "new"), state_dir=root)
        except (OSError, PowerCut):
            pass
    if disk.cut:
        disk.restore()
    io.recover(root)  # what every `geo` command does first
    now = _snapshot(root)
    if now == _expect(root, "old"):
        return disk, "old"
    if now == _expect(root, "new"):
        return disk, "new"
    pytest.fail(f"after the fault the folder holds neither generation: {sorted(now)}")


def _count(tmp: Path, monkeypatch: pytest.MonkeyPatch) -> dict[str, int]:
    disk, gen = _run_switch(tmp, monkeypatch, lambda d: None)
    assert gen == "new"
    return {**disk.calls, "total": disk.total}


@pytest.mark.parametrize("err", [errno.ENOSPC, errno.EIO], ids=["ENOSPC", "EIO"])
@pytest.mark.parametrize("op", ["write", "fsync", "replace"])
def test_each_write_fsync_and_rename_fails_in_turn(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                   op: str, err: int) -> None:
    counts = _count(tmp_path / "count", monkeypatch)
    assert counts[op] >= 3, counts
    outcomes = []
    for k in range(1, counts[op] + 1):
        def configure(d: Disk, k: int = k) -> None:
            d.fail_op, d.fail_at, d.fail_errno = op, k, err

        _disk, gen = _run_switch(tmp_path / f"{op}{k}", monkeypatch, configure)
        outcomes.append(gen)
    # a failure before the commit point keeps the old generation: the first ones must be "old"
    assert outcomes[0] == "old"
    print(f"{op} failing with {errno.errorcode[err]} at each of {len(outcomes)} calls: "
          f"{outcomes.count('old')} old, {outcomes.count('new')} new")


def test_power_cut_at_every_step(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The power goes at each mutating call of the switch (the call does not happen, and nothing
    not yet fsynced survives): the next command leaves old (before the commit) or new (after)."""
    counts = _count(tmp_path / "count", monkeypatch)
    outcomes = []
    for k in range(1, counts["total"] + 2):
        def configure(d: Disk, k: int = k) -> None:
            d.cut_at = k

        disk, gen = _run_switch(tmp_path / f"cut{k}", monkeypatch, configure)
        assert disk.cut or k > counts["total"]
        outcomes.append(gen)
    # once new, always new: the commit point is one instant
    first_new = outcomes.index("new")
    assert all(g == "old" for g in outcomes[:first_new]) and all(g == "new" for g in outcomes[first_new:])
    assert 0 < first_new < len(outcomes) - 1
    print(f"power cut at each of {counts['total']} calls (+1 unfaulted): {first_new} old, "
          f"{len(outcomes) - first_new} new")


def test_the_simulated_power_cut_drops_what_was_not_fsynced(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The harness itself: a file written without fsync is gone after the cut, one fsynced with
    its folder survives (else the tests above would prove nothing)."""
    (tmp_path / "d").mkdir()
    disk = Disk(tmp_path)
    with injected(monkeypatch, disk):
        for name, sync in (("kept", True), ("lost", False)):
            fd = os.open(tmp_path / "d" / name, os.O_WRONLY | os.O_CREAT, 0o644)
            os.write(fd, b"bytes")
            if sync:
                os.fsync(fd)
            os.close(fd)
            if sync:
                dfd = os.open(tmp_path / "d", os.O_RDONLY)
                os.fsync(dfd)
                os.close(dfd)
        disk.cut_at = disk.total + 1
        with pytest.raises(PowerCut):
            os.unlink(tmp_path / "d" / "kept")
    disk.restore()
    assert sorted(os.listdir(tmp_path / "d")) == ["kept"]
    assert (tmp_path / "d" / "kept").read_bytes() == b"bytes"
