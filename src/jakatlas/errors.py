"""One error hierarchy for jakatlas.

Every error carries a message that says what went wrong *and how to fix it*; the CLI prints
``str(error)`` on one line and exits with :attr:`JakatlasError.exit_code`.
"""

from __future__ import annotations

__all__ = [
    "JakatlasError",
    "DataFileError",
    "NotFoundError",
    "InputError",
    "StorageError",
    "NetworkError",
    "AuthError",
    "StatisticsError",
    "InvalidChangeError",
    "ConflictError",
    "StaleVersionError",
    "VersionRequiredError",
]


class JakatlasError(Exception):
    """Root of all jakatlas errors."""

    exit_code: int = 1

    def __init__(self, message: str, *, hint: str | None = None) -> None:
        self.message = message
        self.hint = hint
        super().__init__(message if not hint else f"{message} {hint}")


class DataFileError(JakatlasError):
    """A shipped or user-supplied data file is malformed (names file, record and field)."""

    def __init__(self, path: str, message: str, *, record: str | None = None, field: str | None = None) -> None:
        where = path
        if record is not None:
            where += f", record {record!r}"
        if field is not None:
            where += f", field {field!r}"
        self.path, self.record, self.field = path, record, field
        super().__init__(f"{where}: {message}", hint="Fix the file (see docs/data.md) and run again.")


_LISTING = {
    "drug": "Run 'jakatlas drugs' to list the known names.",
    "disease": "Run 'jakatlas diseases' to list the known names.",
    "disease or drug": "Run 'jakatlas diseases' or 'jakatlas drugs' to list the known names.",
}


class NotFoundError(JakatlasError):
    """A name (drug, disease, study) does not resolve; carries close matches."""

    exit_code = 2

    def __init__(self, kind: str, name: str, suggestions: list[str] | None = None) -> None:
        self.kind, self.name = kind, name
        self.suggestions = suggestions or []
        hint = (
            f"Did you mean {' or '.join(repr(s) for s in self.suggestions[:3])}?"
            if self.suggestions
            else _LISTING.get(kind, "Check the spelling.")
        )
        super().__init__(f"No {kind} named {name!r}.", hint=hint)


class InputError(JakatlasError):
    """A user document cannot be read (empty, binary, wrong encoding, malformed, too large)."""

    exit_code = 2


class InvalidChangeError(InputError):
    """A curator's change would make a study record invalid (names the field)."""


class StorageError(JakatlasError):
    """The database cannot be opened, written or migrated.

    ``message`` may name the database (path, host, user) for the local user; ``public`` says what
    happened without naming it, for web clients. ``kind`` classifies the failure (``unreachable``,
    ``timeout``, ``locked``, ``disk_full``, ``unique``, ``schema``, ``read_only``, ``corrupt``,
    ``not_built``, ``other``); ``transient`` ones are worth retrying.
    """

    _TRANSIENT = frozenset({"unreachable", "timeout", "locked"})

    def __init__(self, message: str, *, hint: str | None = None, kind: str = "other",
                 public: str | None = None) -> None:
        self.kind = kind
        self.public = public or "The atlas database cannot be used right now."
        super().__init__(message, hint=hint)

    @property
    def transient(self) -> bool:
        return self.kind in self._TRANSIENT


class NetworkError(JakatlasError):
    """A remote service (PubMed, ClinicalTrials.gov) failed or is unreachable."""


class AuthError(JakatlasError):
    """Missing, unknown or revoked API token."""


class StatisticsError(JakatlasError):
    """Inputs are not enough or not valid for the requested statistic."""

    exit_code = 2


class ConflictError(JakatlasError):
    """A curation does not fit the study's current state (e.g. it is already accepted)."""

    def __init__(self, message: str, *, hint: str | None = None, version: int | None = None) -> None:
        self.version = version
        super().__init__(message, hint=hint)


class StaleVersionError(ConflictError):
    """A write named a version of the study that is no longer current (someone changed it since)."""


class VersionRequiredError(JakatlasError):
    """A write did not say which version of the study it changes."""

