"""The one small tree of errors iamviz raises, each with a message a user can act on.

    IamvizError
    ├── InputError            a file or document cannot be read (names the file and JSON path)
    │   ├── PolicyError       a policy document of invalid shape
    │   └── SnapshotVersionError  a bundle of a version this iamviz cannot read
    ├── ArnError              a string that is not an ARN (also a ValueError)
    ├── LiveAccountError      AWS could not be read (credentials, permissions, network)
    └── CancelledError        the user cancelled a long operation

The CLI prints ``str(error)`` on one line and exits with code 2; the GUI shows it in a dialog.
"""

from __future__ import annotations


class IamvizError(Exception):
    """Base of every error iamviz raises on purpose."""


class InputError(IamvizError):
    """A file or document that cannot be read; the message names the file and the JSON path."""

    def __init__(self, message: str, *, file: str | None = None, path: str | None = None) -> None:
        self.message = message
        self.file = file
        self.path = path
        super().__init__(self._render())

    def _render(self) -> str:
        where = []
        if self.file:
            where.append(self.file)
        if self.path and self.path != "$":
            where.append(f"at {self.path}")
        prefix = ": ".join(where)
        return f"{prefix}: {self.message}" if prefix else self.message

    def with_file(self, file: str) -> InputError:
        """Return a copy of this error that names ``file`` (used by loaders that parse before they know it)."""
        clone = type(self).__new__(type(self))
        InputError.__init__(clone, self.message, file=file, path=self.path)
        return clone

    def with_prefix(self, prefix: str) -> InputError:
        """Return a copy whose JSON path is put under ``prefix`` (``$.Policies[3]`` + ``$.Statement``)."""
        clone = type(self).__new__(type(self))
        path = self.path or "$"
        joined = prefix + path[1:] if path.startswith("$") else f"{prefix}.{path}"
        InputError.__init__(clone, self.message, file=self.file, path=joined)
        return clone


class PolicyError(InputError):
    """A policy document whose shape IAM would not accept."""


class SnapshotVersionError(InputError):
    """A snapshot bundle written by a newer, incompatible iamviz."""


class ArnError(IamvizError, ValueError):
    """A string that is not a well-formed ARN."""


class LiveAccountError(IamvizError):
    """Reading a live AWS account failed; the message says what to do."""


class CancelledError(IamvizError):
    """The user cancelled the operation; nothing was written."""
