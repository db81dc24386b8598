"""Bounded YAML reading: a file becomes plain Python data plus a line/column index.

ruamel.yaml's round-trip loader parses the file (YAML 1.2; it never runs code) and
keeps where every key and value sits. :func:`read_document` turns that into plain
``dict``/``list``/scalars and records, for every field path, the 1-based line and
column of its key and of its value, so later checks can point at the right place.

Hostile input stays bounded: files over :data:`MAX_BYTES` or :data:`MAX_LINES` are
refused before parsing (ruamel's parser slows down sharply on many short lines: a
megabyte of one-character comments took 8 s here), the composer
stops after :data:`MAX_NODES` nodes and at :data:`MAX_DEPTH` levels of nesting, and
expanding aliases (a "billion laughs" bomb) stops at :data:`MAX_VALUES` values.
Every failure is raised as a :class:`~sim.scenario.errors.ScenarioError`, never a traceback.
"""

from __future__ import annotations

import datetime as dt
import os
import re
import stat
import warnings
from dataclasses import dataclass, field
from typing import Any

from ruamel.yaml import YAML
from ruamel.yaml.composer import Composer, ComposerError
from ruamel.yaml.error import MarkedYAMLError, YAMLError

from sim.scenario.errors import Problem, ScenarioError

__all__ = [
    "MAX_BYTES",
    "MAX_DEPTH",
    "MAX_LINES",
    "MAX_NODES",
    "MAX_VALUES",
    "Document",
    "read_document",
]

MAX_BYTES = 1024 * 1024  #: largest file read (the baseline scenario is about 40 kB)
MAX_LINES = 20_000  #: most lines parsed (the baseline has about 500)
MAX_NODES = 50_000  #: YAML nodes parsed (a large scenario has a few thousand)
MAX_VALUES = 200_000  #: values once aliases are expanded
MAX_DEPTH = 100  #: levels of nesting

Path = tuple[str | int, ...]
Spot = tuple[int, int]


@dataclass
class Document:
    """A parsed YAML file: plain data and where each field path sits in the text.

    Attributes
    ----------
    file : str
        The file name as given (used in messages).
    text : str
        The decoded source text.
    data : Any
        Plain Python data (dicts, lists, str, int, float, bool, None).
    spots : dict
        Field path -> (key spot, value spot, value is a scalar); spots are
        1-based (line, column). The root path ``()`` is always present.
    """

    file: str
    text: str
    data: Any
    spots: dict[Path, tuple[Spot, Spot, bool]] = field(default_factory=dict)

    def locate(self, path: Path, *, key: bool = False) -> Spot:
        """Line and column for a field path.

        A scalar value is located at the value, a mapping or list at its key, and
        a path that is not in the file (a missing field) at its nearest parent.
        With ``key=True`` the key is located even for a scalar value.
        """
        p = tuple(path)
        exact = True
        while p not in self.spots:
            p, exact = p[:-1], False
        key_spot, value_spot, scalar = self.spots[p]
        if exact and scalar and not key:
            return value_spot
        return key_spot


def read_document(path: str | os.PathLike[str]) -> Document:
    """Read, parse and index one YAML file whose top level must be a mapping.

    Raises
    ------
    ScenarioError
        With one problem for a missing or unreadable file, one too large, bytes that
        are not UTF-8 text, a YAML syntax error, a duplicate key, an empty file, a top
        level that is not a mapping, or input past the size, node or depth limits.
    """
    name = os.fspath(path)
    text = _decode(name, _read_bytes(name))
    root = _parse(name, text)
    if root is None:
        raise _error(name, "the file is empty; expected a scenario (name: ..., title: ...)")
    if not isinstance(root, dict):
        spot = _root_spot(root)
        raise _error(
            name,
            f"the top level must be a mapping of fields (name: ..., title: ...), got {_kind(root)}",
            spot,
        )
    doc = Document(name, text, None)
    problems: list[Problem] = []
    doc.data = _Converter(doc, problems).run(root)
    if problems:
        raise ScenarioError(problems)
    return doc


# --- reading and decoding ---------------------------------------------------------------


def _error(name: str, message: str, spot: Spot | None = None) -> ScenarioError:
    line, col = spot if spot else (None, None)
    return ScenarioError([Problem((), message, file=name, line=line, column=col)])


def _read_bytes(name: str) -> bytes:
    try:
        st = os.stat(name)
    except FileNotFoundError:
        raise _error(name, "file not found") from None
    except OSError as e:
        raise _error(name, f"cannot read the file: {e.strerror or e}") from None
    if stat.S_ISDIR(st.st_mode):
        raise _error(name, "this is a directory, not a scenario file")
    if not stat.S_ISREG(st.st_mode):
        raise _error(name, "not a regular file")
    if st.st_size > MAX_BYTES:
        raise _error(name, f"the file is {st.st_size:,} bytes; scenario files are limited to 1 MB")
    try:
        with open(name, "rb") as f:
            raw = f.read(MAX_BYTES + 1)
    except OSError as e:
        raise _error(name, f"cannot read the file: {e.strerror or e}") from None
    if len(raw) > MAX_BYTES:
        raise _error(name, "the file is larger than 1 MB; scenario files are limited to 1 MB")
    lines = raw.count(b"\n") + 1
    if lines > MAX_LINES:
        raise _error(name, f"the file has {lines:,} lines; scenario files are limited to "
                     f"{MAX_LINES:,} lines")
    return raw


def _decode(name: str, raw: bytes) -> str:
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as e:
        line = raw.count(b"\n", 0, e.start) + 1
        col = e.start - (raw.rfind(b"\n", 0, e.start) + 1) + 1
        raise _error(
            name,
            f"not UTF-8 text (byte 0x{raw[e.start]:02x} cannot be decoded); is this a binary file?",
            (line, col),
        ) from None


# --- parsing ------------------------------------------------------------------------------


class _BoundedComposer(Composer):
    """ruamel's composer, stopping once the document has too many nodes."""

    nodes = 0

    def compose_node(self, parent: Any, index: Any) -> Any:
        self.nodes += 1
        if self.nodes > MAX_NODES:
            mark = self.parser.peek_event().start_mark
            raise ComposerError(None, None, f"more than {MAX_NODES:,} YAML nodes", mark)
        return super().compose_node(parent, index)


_DUPLICATE = re.compile(r'found duplicate key "(.*?)" with value')


def _parse(name: str, text: str) -> Any:
    yaml = YAML(typ="rt", pure=True)  # a fresh loader: ruamel's depth count survives errors
    yaml.max_depth = MAX_DEPTH
    yaml.Composer = _BoundedComposer
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            return yaml.load(text)
    except MarkedYAMLError as e:
        raise _error(name, _yaml_message(e), _mark_spot(e.problem_mark or e.context_mark)) from None
    except YAMLError as e:
        position = getattr(e, "position", None)
        spot = _offset_spot(text, position) if isinstance(position, int) else None
        reason = getattr(e, "reason", None) or str(e)
        raise _error(name, f"not valid YAML: {reason}", spot) from None
    except RecursionError:
        raise _error(name, f"nesting is too deep (the limit is {MAX_DEPTH} levels)") from None
    except Exception as e:  # ruamel can fail in other ways on garbage input
        raise _error(name, f"not valid YAML: {type(e).__name__}: {e}") from None


def _yaml_message(e: MarkedYAMLError) -> str:
    problem = str(e.problem or "").strip()
    m = _DUPLICATE.match(problem)
    if m:
        return f"duplicate key '{m.group(1)}'; each key may appear only once in a mapping"
    if problem.startswith("maximum depth"):
        return f"nesting is too deep (the limit is {MAX_DEPTH} levels)"
    if problem.startswith("more than"):
        return f"the document is too large ({problem}); scenario files are small"
    context = str(e.context or "").strip()
    if context and e.context_mark is not None:
        context += f" started at line {e.context_mark.line + 1}"
    return "YAML syntax error: " + problem + (f" ({context})" if context else "")


def _mark_spot(mark: Any) -> Spot | None:
    if mark is None:
        return None
    return (mark.line + 1, mark.column + 1)


def _offset_spot(text: str, offset: int) -> Spot:
    line = text.count("\n", 0, offset) + 1
    return (line, offset - (text.rfind("\n", 0, offset) + 1) + 1)


def _root_spot(root: Any) -> Spot:
    lc = getattr(root, "lc", None)
    if lc is not None and lc.line is not None:
        return (lc.line + 1, lc.col + 1)
    return (1, 1)


def _kind(value: Any) -> str:
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, str):
        return f"the text {str(value)[:40]!r}"
    if value is None:
        return "null"
    return f"the value {value!r}"


# --- conversion to plain data ----------------------------------------------------------------


class _Converter:
    """Turns ruamel's round-trip objects into plain data, indexing spots on the way."""

    def __init__(self, doc: Document, problems: list[Problem]) -> None:
        self.doc = doc
        self.problems = problems
        self.nodes = 0

    def run(self, root: dict) -> dict:
        spot = _root_spot(root)
        self.doc.spots[()] = (spot, spot, False)
        return self.value(root, (), spot)

    def problem(self, path: Path, message: str, spot: Spot) -> None:
        self.problems.append(Problem(path, message, self.doc.file, spot[0], spot[1]))

    def value(self, v: Any, path: Path, spot: Spot) -> Any:
        self.nodes += 1
        if self.nodes > MAX_VALUES:
            self.problem((), f"more than {MAX_VALUES:,} values once aliases are expanded", spot)
            raise ScenarioError(self.problems)
        if len(path) > MAX_DEPTH:
            self.problem((), f"nesting is too deep (the limit is {MAX_DEPTH} levels)", spot)
            raise ScenarioError(self.problems)
        if isinstance(v, dict):
            return self.mapping(v, path, spot)
        if isinstance(v, list):
            return self.sequence(v, path, spot)
        if v is None or isinstance(v, bool):
            return v
        if isinstance(v, int):
            return bool(v) if type(v).__name__ == "ScalarBoolean" else int(v)
        if isinstance(v, float):
            return float(v)
        if isinstance(v, str):
            return str(v)
        if isinstance(v, dt.date):  # YAML timestamps stay text, as written
            return v.isoformat()
        tag = getattr(getattr(v, "tag", None), "value", None) or type(v).__name__
        self.problem(path, f"unsupported YAML value (tag {tag}); use plain YAML values", spot)
        return None

    def mapping(self, m: dict, path: Path, spot: Spot) -> dict:
        out: dict[Any, Any] = {}
        lc = getattr(m, "lc", None)
        for k, v in m.items():
            key_spot = _lc(lc, "key", k) or spot
            value_spot = _lc(lc, "value", k) or key_spot
            if isinstance(k, str):
                name: Any = str(k)
            elif k is None or isinstance(k, (bool, int, float)):
                name = _scalar_text(k)
            else:
                self.problem(
                    path, "mapping keys must be plain names, not lists or mappings", key_spot
                )
                continue
            sub = (*path, name)
            self.doc.spots[sub] = (key_spot, value_spot, not isinstance(v, (dict, list)))
            out[name] = self.value(v, sub, value_spot)
        return out

    def sequence(self, s: list, path: Path, spot: Spot) -> list:
        out = []
        lc = getattr(s, "lc", None)
        for i, v in enumerate(s):
            item_spot = _lc(lc, "item", i) or spot
            sub = (*path, i)
            self.doc.spots[sub] = (item_spot, item_spot, not isinstance(v, (dict, list)))
            out.append(self.value(v, sub, item_spot))
        return out


def _lc(lc: Any, kind: str, k: Any) -> Spot | None:
    """Ruamel's 0-based position of a key, value or item as a 1-based spot, if known."""
    try:
        line, col = getattr(lc, kind)(k)
    except Exception:  # merged keys (<<: *x) and flow quirks have no recorded position
        return None
    return (line + 1, col + 1)


def _scalar_text(k: Any) -> str:
    if k is None:
        return "null"
    if isinstance(k, bool):
        return "true" if k else "false"
    return str(k)
