"""Errors that name the file, line and field at fault, so a stage fails with one clear line."""

from __future__ import annotations


class DistilpipeError(Exception):
    """Base class for errors that stage scripts print as one line and exit non-zero."""


class InputError(DistilpipeError):
    """Bad input data: `FILE:LINE: what is wrong` (line or record number where known)."""

    def __init__(self, path: str, message: str, line: int | None = None, unit: str = "line"):
        self.path = path
        self.line = line
        self.unit = unit
        self.message = message
        super().__init__(self.location() + ": " + message)

    def location(self) -> str:
        if self.line is None:
            return self.path
        if self.unit == "line":
            return f"{self.path}:{self.line}"
        return f"{self.path}:{self.unit} {self.line}"


class ParamsError(DistilpipeError):
    """Invalid params.yaml: names the key path at fault."""
