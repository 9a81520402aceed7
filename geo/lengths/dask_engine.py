"""`geo lengths --engine dask [--scheduler ADDRESS]`: the same measure, per partition, on a dask cluster.

Reading is dask-geopandas's (``read_parquet`` for GeoParquet files and partitioned GeoParquet
directories, ``read_file`` through pyogrio for anything else geopandas reads, split into
partitions); each partition's geometries go, as WKB, through the very sink the default engine
uses (:func:`geo.lengths.wkb.feed_wkb` into :class:`geo.lengths.sink.MeasureSink`), so a
feature's length is the same geodesic sum. The partitions' records come back to the client in
order and are finished as one file (:func:`geo.lengths.jobs._merge`).

A LocalCluster on this machine by default; any running dask cluster given its scheduler's
address. Only this module imports geopandas/dask, and only the dask engine imports this module.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from geo.errors import GeoError, InputError
from geo.lengths.model import PARQUET_SUFFIXES, Source

#: Parquet bytes per partition (dask-geopandas' ``blocksize``).
PARTITION_BYTES = "16MiB"
#: Properties read besides the geometry (the same as the default engine's GeoParquet reader).
WANTED = ("id", "fid", "name", "kind", "length_known_km", "length_known_source")


def _measure_partition(gdf: Any, path: str, keep_coords: bool) -> Any:
    """On a worker: one partition measured by the default engine's sink; one row holding its part."""
    import pandas as pd
    import shapely

    from geo.lengths.jobs import _Part
    from geo.lengths.sink import MeasureSink
    from geo.lengths.wkb import feed_wkb

    crs = gdf.crs.to_json() if gdf.crs is not None else None
    sink = MeasureSink(path, Path(path).stem, keep_coords=keep_coords, crs=crs)
    props_cols = [c for c in gdf.columns if c != gdf.geometry.name]
    wkb = shapely.to_wkb(gdf.geometry.values._data if hasattr(gdf.geometry.values, "_data") else
                         gdf.geometry.values, output_dimension=2)
    values = {c: [_py(v) for v in gdf[c].tolist()] for c in props_cols}
    for i in range(len(gdf)):
        props = {c: values[c][i] for c in props_cols}
        fid = props.get("id", props.get("fid"))
        sink.begin_feature()
        gname = feed_wkb(sink, wkb[i], f"{path}: feature {fid if fid is not None else '#?'}")
        sink.end_feature({"id": fid, "type": "Feature", "properties": props, "geometry_type": gname})
    part = _Part(sink.results(), sink.bbox, sink.nonfinite, sink.out_of_range is not None, sink.crs_label)
    return pd.DataFrame({"part": pd.Series([part], dtype=object)})


def _py(v: Any) -> Any:
    import math

    if hasattr(v, "item") and not isinstance(v, (list, dict, str, bytes)):
        v = v.item()
    if v is None or (isinstance(v, float) and math.isnan(v)):
        return None
    return v


def _frame(path: str, partitions: int) -> Any:
    import dask_geopandas  # type: ignore[import-untyped]

    p = Path(path)
    if p.is_dir() or p.suffix.lower() in PARQUET_SUFFIXES:
        import pyarrow.parquet as pq

        schema = pq.read_schema(next(iter(sorted(p.rglob("*.parquet")))) if p.is_dir() else p)
        cols = [n for n in schema.names if n in WANTED or n.startswith("published_length_")]
        geo = (schema.metadata or {}).get(b"geo")
        if geo is None:
            raise InputError(f"{path}: a Parquet file without GeoParquet 'geo' metadata (no geometry column)")
        import json

        gcol = json.loads(geo)["primary_column"]
        # partitions of ~16 MiB of Parquet: a single file becomes several tasks (dask's default
        # keeps a file under 256 MiB as one partition, which one worker measures alone)
        return dask_geopandas.read_parquet(path, columns=[*cols, gcol], blocksize=PARTITION_BYTES)
    import pyogrio

    info = pyogrio.read_info(path)
    cols = [n for n in info["fields"] if n in WANTED or n.startswith("published_length_")]
    return dask_geopandas.read_file(path, npartitions=partitions, columns=[*cols, "geometry"])


def read_paths(paths: list[str], scheduler: str | None = None, *, workers: int = 2,
               keep_coords: bool = False, client: Any = None) -> list[Source]:
    """Every path measured on a dask cluster: ``client`` if given, else the scheduler at
    ``scheduler``, else a LocalCluster of ``workers`` processes started and stopped here."""
    import pandas as pd
    from distributed import Client, LocalCluster

    from geo.lengths.jobs import _merge

    for path in paths:
        if not Path(path).exists():
            raise InputError(f"{path}: file not found")
    import logging

    logging.getLogger("distributed").setLevel(logging.ERROR)  # its INFO lines are not for our users
    cluster = None
    own = client is None
    if own:
        try:
            if scheduler:
                client = Client(scheduler, timeout="20s")
            else:
                cluster = LocalCluster(n_workers=workers, threads_per_worker=1, dashboard_address=None)
                client = Client(cluster)
        except (OSError, TimeoutError) as exc:
            raise GeoError(f"--scheduler {scheduler}: cannot reach the dask scheduler ({exc})") from None
    try:
        out: list[Source] = []
        for path in paths:
            try:
                ddf = _frame(path, max(2 * workers, 1))
                meta = pd.DataFrame({"part": pd.Series([], dtype=object)})
                parts = ddf.map_partitions(_measure_partition, path, keep_coords, meta=meta)
                frame = client.compute(parts, sync=True)
            except GeoError:
                raise  # a bad feature, named by the worker that measured it
            except Exception as exc:  # noqa: BLE001 - dask/pyarrow/GDAL raise many types; all mean "cannot read"
                first = (str(exc).strip() or type(exc).__name__).splitlines()[0]
                raise InputError(f"{path}: cannot read with dask-geopandas ({first[:200]})") from None
            out += _merge(path, [p for p in frame["part"].tolist() if p.records or p.nonfinite])
        return out
    finally:
        if own:
            client.close()
            if cluster is not None:
                cluster.close()
