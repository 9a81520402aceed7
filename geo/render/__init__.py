"""The story map: one self-contained, offline, deterministic HTML page (the only module that imports folium).

``render_map(layers, claims=..., article=..., sources=...) -> str``; the pipeline writes the string
to maps/frontier.html. folium is imported lazily, inside render_map.
"""

from __future__ import annotations

from geo.render.story import render_map

__all__ = ["render_map"]
