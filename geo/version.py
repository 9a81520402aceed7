"""The atlas's data version (the release it belongs to), shown in the story map's About panel."""

DATA_VERSION = "2026.12.0"
