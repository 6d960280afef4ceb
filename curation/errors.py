"""Errors the core raises; the CLI and pages turn them into messages."""


class CurationError(Exception):
    """Base class for every error the domain core raises on purpose."""


class UnusableInput(CurationError):
    """Input that cannot be used at all (CLI exit code 2); nothing was written."""


class NotFound(CurationError):
    """A record that was asked for does not exist (or is not visible to the actor)."""


class PermissionDenied(CurationError):
    """The acting user's role may not do this."""


class ConsentError(CurationError):
    """The respondent is not quotable, so the action is refused."""


class WorkflowError(CurationError):
    """A state change that the workflow does not allow."""
