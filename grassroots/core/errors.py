"""Errors that services raise when input breaks a rule. Views, the API and the CLI show the message as is."""

from __future__ import annotations


class RuleError(Exception):
    """A request that breaks a rule: nothing was written. `field` names the offending input where one does."""

    def __init__(self, message: str, *, field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field

    def __str__(self) -> str:
        return f"{self.field}: {self.message}" if self.field else self.message


class PermissionDeniedError(RuleError):
    """The acting user may not do this here."""


class StaleVersionError(RuleError):
    """An edit made from a page (or an API read) older than the record's last change: refused, nothing written.
    The API answers it 409 Conflict; a form shows it above the fields."""
