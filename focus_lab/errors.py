from __future__ import annotations


class DomainError(Exception):
    """A business rule refused the operation. ``message`` is shown to the user as it is; ``field``
    names the input at fault when there is one."""

    def __init__(self, message: str, *, field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field
