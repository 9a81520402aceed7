"""Builders of the article layers, one module per layer family (geo.layers assembles them)."""
