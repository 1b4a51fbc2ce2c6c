"""Errors that carry a Chinese sentence written for the clerk (design.md §2).

Services raise these; views show ``error.message`` and never a traceback.
"""

from __future__ import annotations


class DomainError(Exception):
    """A rule refused the request. ``message`` is shown to the user as is; ``clause`` cites the policy."""

    def __init__(self, message: str, *, clause: str | None = None, field: str | None = None):
        self.message = f"{message}（{clause}）" if clause else message
        self.clause = clause
        self.field = field
        super().__init__(self.message)


class PermissionDenied(DomainError):
    """The actor's roles or office scope do not allow the action (audited by the service layer)."""


class NotFound(DomainError):
    """The record does not exist or is outside the actor's scope (same message for both: no probing)."""


class StorageError(DomainError):
    """The database refused the write (read-only file, full disk, unreachable server)."""


class OutOfScope(PermissionDenied, NotFound):
    """The record belongs to an office outside the actor's scope for this action.

    Answered with the same sentence as a missing record (no probing), but it is a refusal: the service layer
    audits it like every ``PermissionDenied``.
    """
