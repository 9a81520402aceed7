"""`geo lengths --engine dask`: on a real dask cluster (a LocalCluster of 2 workers, in-process, over
TCP), partitioned GeoParquet and a GeoJSON file give the default engine's lengths (1e-9 per feature)."""

from __future__ import annotations

import json

import numpy as np
import pytest

from geo import cli

pytest.importorskip("dask_geopandas")
pytest.importorskip("distributed")


def run(argv, capsys):
    code = cli.main(["lengths", *argv])
    out, err = capsys.readouterr()
    return code, out, err


@pytest.mark.slow  # ~11 s wall here (a cluster starts), 4.5 s CPU
def test_dask_engine_equals_the_default_engine_on_a_cluster(tmp_path, capsys):
    import geopandas as gpd
    from distributed import LocalCluster
    from shapely.geometry import LineString, MultiLineString

    rng = np.random.default_rng(11)
    geoms = []
    for i in range(60):
        n = int(rng.integers(2, 400))
        line = np.column_stack([61 + np.cumsum(rng.normal(0, 0.002, n)), 27 + np.cumsum(rng.normal(0, 0.002, n))])
        geoms.append(MultiLineString([line, line[::-1] + 0.1]) if i % 7 == 0 else LineString(line))
    gdf = gpd.GeoDataFrame({"id": [f"r{i}" for i in range(60)], "length_known_km": [5.0] * 60}, geometry=geoms,
                           crs="EPSG:4326")
    gj = tmp_path / "routes.geojson"
    gdf.to_file(gj, driver="GeoJSON")
    parts = tmp_path / "partitioned"
    parts.mkdir()
    for k in range(3):  # a partitioned GeoParquet dataset: a directory of files
        gdf.iloc[k * 20:(k + 1) * 20].to_parquet(parts / f"part.{k}.parquet")
    whole = tmp_path / "routes.parquet"
    gdf.to_parquet(whole)
    with LocalCluster(n_workers=2, threads_per_worker=1, processes=False, protocol="tcp",
                      dashboard_address=None) as cluster:
        for path in (gj, parts, whole):
            code, out, err = run([str(path), "--json", "--engine", "dask", "--scheduler",
                                  cluster.scheduler_address], capsys)
            assert code == 0, err
            got = json.loads(out)["sources"][0]["features"]
            ref = whole if path == parts else path
            _, base, _ = run([str(ref), "--json"], capsys)
            want = json.loads(base)["sources"][0]["features"]
            assert [f["id"] for f in got] == [f"r{i}" for i in range(60)] == [f["id"] for f in want]
            for g, w in zip(got, want, strict=True):
                assert abs(g["length_m"] - w["length_m"]) <= 1e-9 * max(1.0, w["length_m"])
                assert (g["vertices"], g["parts"], g["stated"]) == (w["vertices"], w["parts"], w["stated"])
        bad = tmp_path / "bad.parquet"
        bad.write_bytes(b"PAR1 not really")
        code, out, err = run([str(bad), "--engine", "dask", "--scheduler", cluster.scheduler_address], capsys)
        assert (code, out) == (2, "") and "bad.parquet: cannot read" in err and "Traceback" not in err


def test_dask_engine_usage_errors(capsys):
    code, _, err = run(["x.geojson", "--scheduler", "tcp://127.0.0.1:1"], capsys)
    assert code == 2 and "--scheduler needs --engine dask" in err
