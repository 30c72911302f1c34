"""Read YAML or JSON into plain values plus the line each value starts on, keyed by its path.

A path is a tuple such as ("questions", 2, "texts", "en", "label"). YAML is composed (not loaded) so
node marks give the lines; JSON is read by a small position-keeping parser, because the json module
reports positions only for syntax errors. Duplicate mapping keys are errors in both.
"""

from __future__ import annotations

import json
import re
from typing import Any

import yaml
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from survey_app.surveys.errors import DefinitionError, Problem

Path = tuple[str | int, ...]
Lines = dict[Path, int]

MAX_NODES = 50_000  # aliases can make a small YAML file expand enormously
MAX_DEPTH = 40


def path_text(path: Path) -> str:
    out = ""
    for part in path:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out


def read_source(
    text: str, fmt: str = "auto", source: str = "<definition>"
) -> tuple[Any, Lines, list[Problem]]:
    """Parse `text` as yaml or json ("auto": JSON when it starts with '{').

    Syntax errors raise DefinitionError; problems in otherwise readable text (duplicate keys, a value
    that cannot be read) are returned, so validation can report them together with its own.
    """
    if fmt == "auto":
        fmt = "json" if text.lstrip().startswith("{") else "yaml"
    if fmt == "json":
        return _JsonReader(text, source).read()
    if fmt == "yaml":
        return _read_yaml(text, source)
    raise ValueError(f"unknown format {fmt!r}: expected yaml or json")


# --- YAML -------------------------------------------------------------------------------------


def _read_yaml(text: str, source: str) -> tuple[Any, Lines, list[Problem]]:
    try:
        loader = yaml.SafeLoader(text)  # its reader refuses control characters (a NUL) right here
    except yaml.YAMLError as exc:
        raise DefinitionError([Problem(None, "", f"not valid YAML: {str(exc).splitlines()[0]}")], source) from None
    try:
        root = loader.get_single_node()
        if root is None:
            raise DefinitionError([Problem(1, "", "the definition is empty")], source)
        lines: Lines = {}
        counter = [0]
        problems: list[Problem] = []
        value = _yaml_value(loader, root, (), lines, counter, problems)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None) or getattr(exc, "context_mark", None)
        problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        line = mark.line + 1 if mark is not None else None
        raise DefinitionError([Problem(line, "", f"not valid YAML: {problem}")], source) from None
    except RecursionError:
        # The composer recurses once per level: [[[[…]]]] 20,000 deep ends here, before MAX_DEPTH can.
        raise DefinitionError([Problem(None, "", "the definition is too deeply nested")], source) from None
    finally:
        loader.dispose()
    return value, lines, problems


def _yaml_value(
    loader: yaml.SafeLoader, node: Node, path: Path, lines: Lines, counter: list[int], problems: list[Problem]
) -> Any:
    counter[0] += 1
    if counter[0] > MAX_NODES or len(path) > MAX_DEPTH:
        raise DefinitionError([Problem(node.start_mark.line + 1, path_text(path),
                                       "the definition is too large or too deeply nested")])
    lines.setdefault(path, node.start_mark.line + 1)
    if isinstance(node, MappingNode):
        out: dict[Any, Any] = {}
        for k, v in node.value:
            if not isinstance(k, ScalarNode) or k.tag == "tag:yaml.org,2002:merge":
                problems.append(Problem(k.start_mark.line + 1, path_text(path), "keys must be plain words"))
                continue
            key = loader.construct_object(k)
            if not isinstance(key, str | int) or isinstance(key, bool):
                key = str(k.value)
            if key in out:
                problems.append(Problem(k.start_mark.line + 1, path_text((*path, key)), "duplicate key"))
                continue
            lines[(*path, key)] = k.start_mark.line + 1
            out[key] = _yaml_value(loader, v, (*path, key), lines, counter, problems)
            lines[(*path, key)] = k.start_mark.line + 1  # the key's line, not the value's
        return out
    if isinstance(node, SequenceNode):
        return [_yaml_value(loader, item, (*path, i), lines, counter, problems) for i, item in enumerate(node.value)]
    try:
        return loader.construct_object(node, deep=True)
    except (yaml.YAMLError, ValueError, OverflowError) as exc:
        # Timestamps such as 2025-02-30 pass the resolver's pattern but fail construction.
        problems.append(Problem(node.start_mark.line + 1, path_text(path), f"cannot read value: {exc}"))
        return None


# --- JSON -------------------------------------------------------------------------------------

_WS = re.compile(r"[ \t\n\r]*")
_NUMBER = re.compile(r"-?(?:0|[1-9]\d*)(\.\d+)?([eE][-+]?\d+)?")


class _JsonReader:
    def __init__(self, text: str, source: str) -> None:
        self.text = text
        self.source = source
        self.lines: Lines = {}
        self.nodes = 0

    def read(self) -> tuple[Any, Lines, list[Problem]]:
        try:
            json.loads(self.text)  # the json module is the authority on validity and values
        except json.JSONDecodeError as exc:
            raise DefinitionError([Problem(exc.lineno, "", f"not valid JSON: {exc.msg}")], self.source) from None
        except RecursionError:
            raise DefinitionError([Problem(1, "", "the definition is too deeply nested")], self.source) from None
        except ValueError as exc:  # an integer of more than 4,300 digits (Python's conversion limit)
            raise DefinitionError([Problem(1, "", f"not valid JSON: {exc}")], self.source) from None
        problems: list[Problem] = []
        pos = self._skip(0)
        value, _ = self._value(pos, (), problems)
        return value, self.lines, problems

    def _line(self, pos: int) -> int:
        return self.text.count("\n", 0, pos) + 1

    def _skip(self, pos: int) -> int:
        m = _WS.match(self.text, pos)
        return m.end() if m else pos

    def _value(self, pos: int, path: Path, problems: list[Problem]) -> tuple[Any, int]:
        self.nodes += 1
        if self.nodes > MAX_NODES or len(path) > MAX_DEPTH:
            raise DefinitionError([Problem(self._line(pos), path_text(path),
                                           "the definition is too large or too deeply nested")], self.source)
        self.lines.setdefault(path, self._line(pos))
        ch = self.text[pos]
        if ch == "{":
            out: dict[str, Any] = {}
            pos = self._skip(pos + 1)
            if self.text[pos] == "}":
                return out, pos + 1
            while True:
                key, end = json.decoder.scanstring(self.text, pos + 1)  # type: ignore[attr-defined]
                key_line = self._line(pos)
                pos = self._skip(self._skip(end) + 1)  # past ':'
                if key in out:
                    problems.append(Problem(key_line, path_text((*path, key)), "duplicate key"))
                    _, pos = self._value(pos, (*path, f"{key}#dup"), problems)
                else:
                    self.lines[(*path, key)] = key_line
                    out[key], pos = self._value(pos, (*path, key), problems)
                    self.lines[(*path, key)] = key_line
                pos = self._skip(pos)
                if self.text[pos] == "}":
                    return out, pos + 1
                pos = self._skip(pos + 1)  # past ','
        if ch == "[":
            items: list[Any] = []
            pos = self._skip(pos + 1)
            if self.text[pos] == "]":
                return items, pos + 1
            while True:
                item, pos = self._value(pos, (*path, len(items)), problems)
                items.append(item)
                pos = self._skip(pos)
                if self.text[pos] == "]":
                    return items, pos + 1
                pos = self._skip(pos + 1)
        if ch == '"':
            s, end = json.decoder.scanstring(self.text, pos + 1)  # type: ignore[attr-defined]
            return s, end
        for word, val in (("true", True), ("false", False), ("null", None)):
            if self.text.startswith(word, pos):
                return val, pos + len(word)
        for word in ("NaN", "Infinity", "-Infinity"):
            if self.text.startswith(word, pos):
                return float(word), pos + len(word)
        m = _NUMBER.match(self.text, pos)
        assert m is not None  # json.loads accepted the text, so a number is here
        number = m.group()
        return (float(number) if m.group(1) or m.group(2) else int(number)), m.end()
