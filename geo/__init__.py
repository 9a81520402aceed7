"""Iran–Pakistan frontier atlas: layers, story map and geodesic length checks from one article."""

__version__ = "0.1.0"
