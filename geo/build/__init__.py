"""Seeds -> FeatureCollections: seed tables, the article, basemap, GEM routes, admin-1 and the article layers."""
