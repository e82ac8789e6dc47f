"""Exceptions raised by migdata.

Every error names the bad value and says what was expected. Each class also derives from the
built-in exception a caller would naturally catch (``ValueError`` for bad input, ``LookupError``
for something asked for that does not exist), so ``except ValueError`` keeps working.
"""

from __future__ import annotations


class MigdataError(Exception):
    """Base class of all migdata errors."""


class InvalidInputError(MigdataError, ValueError):
    """An argument has the wrong type, shape or value."""


class UnknownCountryError(InvalidInputError):
    """A country name or code that is not an ISO 3166-1 country."""


class UnknownRuleError(InvalidInputError):
    """A usual-residence rule other than the ones the UN recommendations define."""


class InvalidPersonError(InvalidInputError):
    """A person's history is impossible (a stay ending before it starts, overlapping stays...)."""


class MissingColumnsError(InvalidInputError):
    """A data frame lacks columns a function needs."""


class UnknownDatasetError(MigdataError, LookupError):
    """A dataset id that the kit does not ship."""


class UnknownValueError(MigdataError, LookupError):
    """A filter value, indicator code or category that does not exist in the data."""


class MissingDependencyError(MigdataError, ImportError):
    """An optional package a function needs is not installed; the message says which extra."""


class DataFileError(MigdataError, OSError):
    """A bundled data file (or ``datapackage.json``) is damaged, truncated or unreadable.

    The message names the dataset and the file, and what was found against what
    ``datapackage.json`` records (sha256, size in bytes, rows, columns).
    """


class SourceError(MigdataError, ConnectionError):
    """A live data source could not be reached or answered with an HTTP error."""


class SourceUnavailableError(SourceError):
    """A live data source kept answering with a server error (429, 5xx) after the retries.

    :func:`migdata.sources.refresh` treats it like being offline: it warns and returns the
    bundled snapshot (unless ``fallback=False``).
    """


class MalformedResponseError(InvalidInputError):
    """A live data source answered, but not in the shape its documentation describes."""
