"""Definition problems: each names the field (a dotted path) and, when known, the line."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, order=True)
class Problem:
    line: int | None
    field: str
    message: str

    def __str__(self) -> str:
        where = f"line {self.line}: " if self.line is not None else ""
        return f"{where}{self.field or '(definition)'}: {self.message}"


class DefinitionError(ValueError):
    """A definition cannot be imported; `problems` lists every one found, in line order."""

    def __init__(self, problems: list[Problem], source: str = "<definition>") -> None:
        self.problems = sorted(problems, key=lambda p: (p.line or 0, p.field, p.message))
        self.source = source
        super().__init__(self.report())

    def report(self) -> str:
        lines = [f"{self.source}: {len(self.problems)} problem(s)"]
        lines += [f"  {self.source}, {p}" if p.line else f"  {self.source}: {p}" for p in self.problems]
        return "\n".join(lines)
