"""The story map (the only module that imports folium).

``story_map(layers_dir=None) -> folium.Map``: the atlas's map for notebooks and scripts; add your own
folium layers and ``save()`` it (it stays offline). ``render_map(layers, claims=..., article=...,
sources=...) -> str``: the HTML the pipeline writes to maps/frontier.html. folium is imported lazily.
"""

from __future__ import annotations

from geo.render.story import render_map, story_map

__all__ = ["render_map", "story_map"]
