"""The one exceptions module: every error the tool raises on purpose derives from TfdriftError.

The CLI maps these to exit codes in one place (``tfdrift_gitops.cli``); library code raises them
with a message a user can act on (which file, which record, which key).
"""

from __future__ import annotations


class TfdriftError(Exception):
    """Root of all errors raised by tfdrift-gitops."""

    exit_code = 1


class ConfigError(TfdriftError):
    """Invalid configuration (.tfdrift.yml, environment or flags)."""

    exit_code = 3


class InputError(TfdriftError):
    """A CloudTrail / Falco input could not be read or parsed."""

    exit_code = 4


class RecordError(InputError):
    """One record is unusable; the rest of its file is still processed."""

    def __init__(self, message: str, *, origin: str = "") -> None:
        super().__init__(f"{origin}: {message}" if origin else message)
        self.reason = message
        self.origin = origin


class NotCloudTrailError(RecordError):
    """A well-formed record from a source we do not handle (a Falco alert of another source).

    Callers count these as ignored, not as bad input."""


class StateError(TfdriftError):
    """A Terraform state could not be read, or is not a v4 state."""

    exit_code = 5


class LedgerError(TfdriftError):
    """The drift ledger could not be read or written."""

    exit_code = 6


class LedgerConflictError(LedgerError):
    """A conditional write lost its race too many times."""


class CorruptRecordError(LedgerError):
    """A ledger object exists but cannot be decoded."""


class OversizeRecordError(CorruptRecordError):
    """An open drift grew too big to be stored and read back: the call is not folded in."""


class NotFoundError(TfdriftError):
    """A drift id or other named object does not exist."""

    exit_code = 7


class RemediationError(TfdriftError):
    """Code could not be patched; the message says why and what a person should do."""

    exit_code = 8


class UnrepresentableValueError(RemediationError):
    """A value cannot be written as an HCL literal that Terraform reads back exactly."""


class GitHubError(TfdriftError):
    """A GitHub API call failed after retries."""

    exit_code = 9


class NotifyError(TfdriftError):
    """A notification could not be delivered (the drift is kept in the ledger)."""

    exit_code = 10


class CollectorError(TfdriftError):
    """The collector could not start or lost its sources for good."""

    exit_code = 11
