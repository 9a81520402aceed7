"""`geo lengths`: geodesic lengths of any route file. Never imports geopandas or folium on its default path."""
