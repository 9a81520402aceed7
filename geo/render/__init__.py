"""The story map (the only module that imports folium).

``story_map(layers_dir=None) -> folium.Map``: the atlas's map for notebooks and scripts; add your own
folium layers and ``save()`` it (it stays offline). ``render_map(layers, claims=..., article=...,
sources=...) -> str``: the HTML the pipeline writes to maps/frontier.html. folium is imported lazily,
and so is geo.render.story itself: ``geo draft`` reads only geo.render.assets (Leaflet, the page policy).
"""

from __future__ import annotations

from typing import Any

__all__ = ["render_map", "story_map"]


def __getattr__(name: str) -> Any:
    if name in __all__:
        from geo.render import story

        return getattr(story, name)
    raise AttributeError(f"module 'geo.render' has no attribute {name!r}")
