"""A build killed at any instant leaves layers/ and maps/ wholly the previous generation or wholly
the new one once the next `geo` command has run, with no temp file left; two builds never
interleave. Every process here works on a private copy of the checkout (tests/repo_copy.py).

Generations: A = the outputs of the real seeds; B = the outputs of the seeds with one place
renamed, and a market and a crossing (several layer files, the GeoPackage and the map change).
"""

from __future__ import annotations

import csv
import io as _io
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
import repo_copy
from trust_fixtures import RealBuild, tree_hashes

from geo import io, settings


def _rename_sites(seeds: Path) -> None:
    """Generation B: one place, one market and one crossing renamed."""
    for fname in ("places.csv", "markets.csv", "crossings.csv"):
        path = seeds / fname
        rows = list(csv.reader(_io.StringIO(path.read_text(encoding="utf-8"), newline="")))
        rows[1][rows[0].index("name")] += " B"
        buf = _io.StringIO()
        csv.writer(buf, lineterminator="\n").writerows(rows)
        path.write_text(buf.getvalue(), encoding="utf-8")


def _outputs(repo: Path) -> dict[str, str]:
    return tree_hashes(repo / "layers", repo / "maps")


@pytest.fixture(scope="module")
def generations(tmp_path_factory: pytest.TempPathFactory, real_build: RealBuild) -> dict[str, Path]:
    """A pristine copy with generation A written, B's seeds, and B's outputs (built once)."""
    root = tmp_path_factory.mktemp("gens")
    layers_a, maps_a = real_build()
    seeds_b = root / "seeds-b"
    shutil.copytree(settings.SEEDS_DIR, seeds_b)
    _rename_sites(seeds_b)
    out_b = root / "b"
    proc = subprocess.run([sys.executable, "-m", "geo", "build", "--seeds", str(seeds_b), "--layers",
                           str(out_b / "layers"), "--maps", str(out_b / "maps")],
                          cwd=settings.ROOT, capture_output=True, text=True, timeout=600, check=False)
    assert proc.returncode == 0, proc.stderr[-3000:]
    pristine = root / "pristine"
    repo_copy.make(pristine)
    shutil.rmtree(pristine / "layers")
    shutil.copytree(layers_a, pristine / "layers")
    shutil.copytree(maps_a, pristine / "maps")
    return {"a": pristine, "seeds_b": seeds_b, "b": out_b}


def _fresh(generations: dict[str, Path], dest: Path) -> Path:
    shutil.copytree(generations["a"], dest, symlinks=True)
    return dest


def _hashes(generations: dict[str, Path]) -> tuple[dict[str, str], dict[str, str]]:
    a = _outputs(generations["a"])
    b = tree_hashes(generations["b"] / "layers", generations["b"] / "maps")
    assert a.keys() == b.keys() and a != b
    changed = [k for k in a if a[k] != b[k]]
    assert len(changed) >= 4, changed  # several files must switch together for the test to mean anything
    return a, b


#: Runs io.write_files in a real process, replacing every output of the copy by generation B's bytes.
WRITER = """
import sys
from pathlib import Path
from geo import io
repo, b = Path(sys.argv[1]), Path(sys.argv[2])
outs = {}
for sub in ("layers", "maps"):
    for p in sorted((b / sub).iterdir()):
        outs[repo / sub / p.name] = p.read_bytes()
io.write_files(outs, state_dir=repo)
"""


def test_kill_at_every_step_of_the_switch(generations: dict[str, Path], tmp_path: Path) -> None:
    """SIGKILL at each step (journal, every staged file, commit, every rename, the end): the next
    `geo` command leaves exactly A (killed before the commit) or exactly B (after it)."""
    gen_a, gen_b = _hashes(generations)
    n_changed = sum(gen_a[k] != gen_b[k] for k in gen_a)
    steps = 3 + 2 * n_changed  # journal + stage each + commit + rename each + done
    seen = {"a": 0, "b": 0}
    for k in range(1, steps + 2):
        repo = _fresh(generations, tmp_path / f"k{k}")
        proc = subprocess.run([sys.executable, "-c", WRITER, str(repo), str(generations["b"])], cwd=repo,
                              env=repo_copy.env(repo, **{io.FAULT_KILL_ENV: str(k)}),
                              capture_output=True, text=True, timeout=120, check=False)
        if k <= steps:
            assert proc.returncode == -signal.SIGKILL, (k, proc.returncode, proc.stderr[-2000:])
        else:
            assert proc.returncode == 0, proc.stderr[-2000:]
        # the next geo command (a cheap one) completes or undoes the switch before anything else
        nxt = repo_copy.geo(repo, "lengths", "layers/border.geojson")
        assert nxt.returncode == 0 and "Traceback" not in nxt.stderr, nxt.stderr[-2000:]
        now = _outputs(repo)
        expected = "a" if k <= n_changed + 2 else "b"  # step n_changed + 2 writes the commit
        assert now == (gen_a if expected == "a" else gen_b), f"kill at step {k}: a mix of generations"
        assert repo_copy.leftovers(repo) == [], f"kill at step {k}: {repo_copy.leftovers(repo)}"
        seen[expected] += 1
        shutil.rmtree(repo)
    assert seen["a"] == n_changed + 2 and seen["b"] == n_changed + 2
    print(f"switch of {n_changed} changed files: {steps} kills survived ({seen})")


def _wait_for(path: Path, proc: subprocess.Popen[str], timeout: float) -> bool:
    end = time.monotonic() + timeout
    while time.monotonic() < end and proc.poll() is None:
        if path.exists():
            return True
        time.sleep(0.005)
    return False


STEP_DELAY_S = 0.1


@pytest.mark.parametrize("after", ["assemble:1.0", "journal:0.45", "journal:0.8"])
def test_kill_a_real_build(after: str, generations: dict[str, Path], tmp_path: Path) -> None:
    """`geo build` of B over A, slowed inside the switch (0.1 s per step) and SIGKILLed: during the
    build (1 s after start) and at 45% and 80% of the switch (the step test kills at every step)."""
    gen_a, gen_b = _hashes(generations)
    n_changed = sum(gen_a[k] != gen_b[k] for k in gen_a)
    switch_s = (3 + 2 * n_changed) * STEP_DELAY_S
    repo = _fresh(generations, tmp_path / "repo")
    shutil.rmtree(repo / "seeds")
    shutil.copytree(generations["seeds_b"], repo / "seeds")
    proc = repo_copy.start(repo, "build", **{io.FAULT_DELAY_ENV: str(STEP_DELAY_S)})
    when, delay = after.split(":")
    try:
        if when == "journal":
            assert _wait_for(repo / io.JOURNAL, proc, 240), "the build never reached its write phase"
        time.sleep(float(delay) if when == "assemble" else float(delay) * switch_s)
        assert proc.poll() is None, "the build ended before the kill"
        proc.send_signal(signal.SIGKILL)
    finally:
        proc.communicate(timeout=60)
    assert proc.returncode == -signal.SIGKILL
    nxt = repo_copy.geo(repo, "lengths", "layers/border.geojson")  # any geo command recovers first
    assert nxt.returncode == 0 and "Traceback" not in nxt.stderr, nxt.stderr[-2000:]
    now = _outputs(repo)
    assert now in (gen_a, gen_b), "a mix of generations after the kill"
    assert repo_copy.leftovers(repo) == [], repo_copy.leftovers(repo)
    if when == "assemble":
        assert now == gen_a
    if after != "journal:0.45":
        return
    # and the next build completes normally
    again = repo_copy.geo(repo, "build")
    assert again.returncode == 0, again.stderr[-2000:]
    assert _outputs(repo) == gen_b


def test_concurrent_builds(generations: dict[str, Path], tmp_path: Path) -> None:
    """Three builds started at once in one checkout: one writes, the others exit 2 with one line
    saying another build is running; the outputs are wholly the winner's generation."""
    _gen_a, gen_b = _hashes(generations)
    repo = _fresh(generations, tmp_path / "repo")
    shutil.rmtree(repo / "seeds")
    shutil.copytree(generations["seeds_b"], repo / "seeds")
    procs = [repo_copy.start(repo, "build") for _ in range(3)]
    results = [(p.wait(timeout=600), p.communicate()[1]) for p in procs]
    codes = sorted(rc for rc, _ in results)
    assert codes == [0, 2, 2], results
    for rc, err in results:
        if rc == 2:
            lines = err.splitlines()
            assert len(lines) == 1 and lines[0].startswith("geo: error: layers: another `geo build`"), lines
    assert _outputs(repo) == gen_b
    assert repo_copy.leftovers(repo) == []


def test_second_build_refused_while_the_lock_is_held(tmp_path: Path) -> None:
    """Another process holds the write lock of the outputs' folder: `geo build` refuses at once."""
    from geo import pipeline
    from geo.errors import GeoError

    child = subprocess.Popen([sys.executable, "-c",
                              ("import sys, time; from pathlib import Path; from geo import io\n"
                              "with io.write_lock(Path(sys.argv[1])):\n"
                              "    print('held', flush=True); time.sleep(60)"), str(tmp_path)],
                             stdout=subprocess.PIPE, text=True)
    try:
        assert child.stdout is not None and child.stdout.readline().strip() == "held"
        with pytest.raises(GeoError, match="another `geo build` is writing these outputs"):
            pipeline.build(layers_dir=tmp_path / "layers", maps_dir=tmp_path / "maps")
    finally:
        child.kill()
        child.wait()
    assert not (tmp_path / "layers").exists()


def test_a_killed_export_leaves_no_gpkg_temp_folder_behind(tmp_path: Path) -> None:
    """A build killed while writing the GeoPackage left /tmp/geo-gpkg-* for ever; the next export
    now removes the folders of processes that no longer run (and keeps a live one's)."""
    from geo import files

    env = {**repo_copy.env(settings.ROOT), "TMPDIR": str(tmp_path)}
    killed = subprocess.run([sys.executable, "-c", (
        "import os, signal; from pathlib import Path; from geo import files\n"
        "with files.temp_dir('geo-gpkg-') as d:\n"
        "    (Path(d) / 'frontier.gpkg').write_bytes(b'half')\n"
        "    os.kill(os.getpid(), signal.SIGKILL)")], env=env, cwd=settings.ROOT, timeout=60, check=False)
    assert killed.returncode == -signal.SIGKILL
    left = list(tmp_path.glob("geo-gpkg-*"))
    assert len(left) == 1  # what a SIGKILL leaves
    live = tmp_path / f"geo-gpkg-{os.getppid()}-live"  # a running process's folder
    live.mkdir()
    import tempfile

    old = tempfile.tempdir
    tempfile.tempdir = str(tmp_path)
    try:
        with files.temp_dir("geo-gpkg-") as d:
            assert Path(d).parent == tmp_path
            assert sorted(p.name for p in tmp_path.iterdir()) == sorted([live.name, Path(d).name])
    finally:
        tempfile.tempdir = old
    assert [p.name for p in tmp_path.iterdir()] == [live.name]
