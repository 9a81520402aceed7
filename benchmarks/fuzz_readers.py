"""Coverage-guided fuzzing of the readers written here (issue 20), with atheris (libFuzzer).

    python3 benchmarks/fuzz_readers.py TARGET [--seconds N] [--corpus DIR]
    TARGET: geojson_stream | wkb | seeds | journal | parquet_pages | all

Each target (tests/fuzz_targets.py) takes bytes and may only refuse them with the reader's own
one-line error; any other exception (a crash, a RecursionError, a journal acting outside its
folder) stops the run and libFuzzer writes the input to ./crash-*. The corpus starts from the
repository's own files (layers/*.geojson, seeds/*.csv, WKB of the border, a real journal), so
the fuzzer begins from valid inputs and mutates them guided by line coverage of geo/.

The suite runs the same targets briefly with hypothesis (tests/test_fuzz.py); this script is
the long run. docs/reliability.md reports what it found.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests"))


def seed_corpus(target: str, out: Path) -> None:
    """Valid starting inputs for ``target`` from the repository's own files."""
    out.mkdir(parents=True, exist_ok=True)
    files: list[bytes] = []
    if target == "geojson_stream":
        import json

        for p in sorted((ROOT / "layers").glob("*.geojson")):
            fc = json.loads(p.read_text(encoding="utf-8"))
            for i in range(0, min(len(fc["features"]), 6), 2):  # small collections: fast runs
                part = dict(fc, features=fc["features"][i : i + 2])
                data = json.dumps(part, ensure_ascii=False).encode()
                if len(data) < 20_000:
                    files.append(data)
    elif target == "wkb":
        import json

        import shapely
        from shapely.geometry import shape

        for p in ("border.geojson", "pipeline.geojson", "events.geojson"):
            fc = json.loads((ROOT / "layers" / p).read_text(encoding="utf-8"))
            for f in fc["features"][:20]:
                if f.get("geometry"):
                    g = shape(f["geometry"])
                    files.append(shapely.to_wkb(shapely.simplify(g, 0.05), byte_order=1))
                    files.append(shapely.to_wkb(g, byte_order=0, include_srid=False)[:4000])
    elif target == "seeds":
        for p in ("places.csv", "events.csv", "article.txt"):
            files.append((ROOT / "seeds" / p).read_bytes()[:20_000])
    elif target == "journal":
        import fuzz_targets

        files.append(fuzz_targets.journal_seed())
    elif target == "parquet_pages":
        import fuzz_targets

        files.extend(fuzz_targets.parquet_seeds())
    for i, data in enumerate(files):
        (out / f"seed-{i:03d}").write_bytes(data)


def run_one(target: str, seconds: int, corpus: Path) -> int:
    import atheris

    with atheris.instrument_imports(include=["geo"]):
        import fuzz_targets  # geo imported here first: instrumented for coverage
    if not any(corpus.glob("*")):
        seed_corpus(target, corpus)
    fn = fuzz_targets.TARGETS[target]

    def test_one_input(data: bytes) -> None:
        fn(data)

    atheris.Setup([sys.argv[0], str(corpus), "-print_pcs=0", f"-max_total_time={seconds}", "-max_len=65536", "-rss_limit_mb=2048",
                   "-print_final_stats=1", "-timeout=20"], test_one_input)
    atheris.Fuzz()
    return 0


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("target", choices=["geojson_stream", "wkb", "seeds", "journal", "parquet_pages", "all"])
    ap.add_argument("--seconds", type=int, default=300, help="per target (default 300)")
    ap.add_argument("--corpus", type=Path, help="corpus folder (default: a temp folder seeded from the repo)")
    ap.add_argument("--_child", action="store_true", help=argparse.SUPPRESS)
    args = ap.parse_args()
    targets = ["geojson_stream", "wkb", "seeds", "journal", "parquet_pages"] if args.target == "all" else [args.target]
    if len(targets) > 1:  # libFuzzer runs once per process: one child per target
        rc = 0
        for t in targets:
            print(f"== {t}", flush=True)
            rc |= subprocess.call([sys.executable, __file__, t, "--seconds", str(args.seconds)])
        return rc
    corpus = args.corpus or Path(tempfile.mkdtemp(prefix=f"geo-fuzz-{targets[0]}-"))
    corpus.mkdir(parents=True, exist_ok=True)
    os.environ.setdefault("OMP_NUM_THREADS", "1")
    return run_one(targets[0], args.seconds, corpus)


if __name__ == "__main__":
    raise SystemExit(main())
