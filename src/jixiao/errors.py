"""User-facing errors. Every message is Chinese and says what went wrong and where."""

from __future__ import annotations


class JixiaoError(Exception):
    """An error a user can cause and fix; the CLI prints it without a traceback."""

    def __init__(
        self,
        message: str,
        *,
        file: str | None = None,
        line: int | None = None,
        location: str | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.file = file
        self.line = line
        self.location = location

    def where(self) -> str:
        parts = []
        if self.file:
            parts.append(f"文件 {self.file}")
        if self.line is not None:
            parts.append(f"第 {self.line} 行")
        if self.location:
            parts.append(self.location)
        return " ".join(parts)

    def __str__(self) -> str:
        where = self.where()
        return f"{where}：{self.message}" if where else self.message


class InputError(JixiaoError, ValueError):
    """A dossier, form or command-line value that is not valid."""


class NumberParseError(InputError):
    """Text that is not a number, amount or quantity we can read exactly."""


class FrameworkError(JixiaoError):
    """A framework file that is missing, malformed or inconsistent."""


class ReaderError(JixiaoError):
    """A document that cannot be read (format, encoding, damage, limits)."""
