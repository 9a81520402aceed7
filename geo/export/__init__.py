"""Release formats from one build: GeoPackage, GeoParquet/FlatGeobuf, KML, CSV, styles, the data package."""
