"""The data release version: the one place it is written.

Calendar versioning ``YYYY.MM.PATCH``: the year and month of the release, then a counter for
fixes within that month. Every output carries it (GeoJSON ``description`` and ``metadata``,
GeoPackage ``gpkg_metadata``, GeoParquet and FlatGeobuf metadata, KML, events.csv, the data
package, the map's about panel) and ``geo --version`` prints it. pyproject.toml reads the
package version from here (``[tool.setuptools.dynamic]``), so the two cannot differ.
"""

DATA_VERSION = "2026.12.1"
#: The day DATA_VERSION was released (CITATION.cff ``date-released``, CHANGELOG.md): the GeoPackage's
#: "last change" times, so they say when the release was made, not when the article's events happened.
RELEASE_DATE = "2026-12-02"
