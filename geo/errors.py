"""Errors a user can act on: each says where (file, row, feature) and what is wrong."""

from __future__ import annotations


class GeoError(Exception):
    """Bad input or usage. The CLI prints one line and exits with ``exit_code`` (2)."""

    exit_code = 2


class SeedError(GeoError):
    """A seed table is malformed: the message names the file, row and column."""


class InputError(GeoError):
    """A user-supplied file (e.g. to ``geo lengths``) cannot be used."""


class SourceError(GeoError):
    """A basemap source package is missing or differs from the recorded provenance."""


class ValidationFailed(GeoError):
    """One or more validation rules failed; ``problems`` holds every one of them."""

    exit_code = 1

    def __init__(self, problems: list[str]) -> None:
        self.problems = list(problems)
        super().__init__(f"{len(self.problems)} validation problem(s)")
