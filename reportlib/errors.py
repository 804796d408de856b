"""Domain exceptions. Each carries the context an analyst needs to act on it.

Exit codes are defined here, once, and documented in README.md.
"""
from __future__ import annotations

EXIT_OK = 0
EXIT_RENDER_FAILED = 1
EXIT_USAGE = 2
EXIT_BAD_INPUT = 3
EXIT_LOCK_HELD = 4
EXIT_ENVIRONMENT = 5


class ReportlibError(Exception):
    """Base class; ``exit_code`` is what the CLI returns for it."""

    exit_code = EXIT_RENDER_FAILED


class InputError(ReportlibError):
    """Bad input data: names the file, and where known the sheet, row and value."""

    exit_code = EXIT_BAD_INPUT

    def __init__(self, message: str, *, file=None, sheet=None, row=None, column=None, value=None):
        self.file, self.sheet, self.row, self.column, self.value = file, sheet, row, column, value
        where = ", ".join(
            f"{label} {item}"
            for label, item in (("文件", file), ("工作表", sheet), ("行", row), ("列", column), ("值", repr(value) if value is not None else None))
            if item is not None
        )
        super().__init__(f"{message} ({where})" if where else message)


class RenderError(ReportlibError):
    """A notebook failed to execute or convert; names notebook, parameters and cell."""

    exit_code = EXIT_RENDER_FAILED

    def __init__(self, message: str, *, notebook=None, parameters=None, cell=None):
        self.notebook, self.parameters, self.cell = notebook, parameters, cell
        parts = [message]
        if notebook:
            parts.append(f"notebook: {notebook}")
        if parameters:
            parts.append(f"parameters: {parameters}")
        if cell is not None:
            parts.append(f"cell: {cell}")
        super().__init__("\n  ".join(parts))


class EnvironmentProblem(ReportlibError):
    """The machine lacks something (font, kernel, library); the message names the fix."""

    exit_code = EXIT_ENVIRONMENT

    def __init__(self, problem: str, fix: str):
        self.problem, self.fix = problem, fix
        super().__init__(f"{problem}; fix: {fix}")


class UsageError(ReportlibError):
    """A command-line value that cannot be right (e.g. ``--today 2025-13-01``)."""

    exit_code = EXIT_USAGE


class NothingToDo(InputError):
    """There is nothing to build yet, which for a scheduler is no failure (e.g. ``--latest``
    before the first quarter of the year has ended): the run logs why and exits 0."""

    exit_code = EXIT_OK
