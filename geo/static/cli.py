"""`geo static`: one still map of any extent, size and format, from layers/."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

from geo import files, settings
from geo.errors import InputError
from geo.static import frame


def run(args: Any) -> int:
    fmt = frame.parse_format(args.format) if args.format else None
    out = Path(args.out) if args.out else None
    if fmt is None:
        suffix = out.suffix.lower().lstrip(".") if out else ""
        fmt = frame.parse_format(suffix) if suffix in frame.FORMATS else "svg"
    elif out is not None and out.suffix and out.suffix.lower().lstrip(".") != fmt:
        raise InputError(f"--out {files.display(out)}: the file ending does not match --format {fmt}")
    size = frame.parse_size(args.size) if args.size is not None else None
    bbox = frame.parse_bbox(args.bbox) if args.bbox is not None else None
    out = out or Path(settings.MAPS_DIR) / f"frontier-static.{fmt}"
    if out.exists() and not out.is_file():
        raise InputError(f"--out {files.display(out)}: not a regular file")
    from geo import io, static

    layers, article = static.read_layers(Path(args.layers) if args.layers else None)
    data = static.render(layers, fmt=fmt, size=size, bbox=bbox, article=article)
    try:
        io.write_files({out: data})
    except OSError as exc:
        raise InputError(f"--out {files.display(out)}: cannot write ({files.escape(exc.strerror or exc)})") from None
    print(f"{files.display(out)} ({len(data):,} bytes)", file=sys.stderr)
    return 0
