"""Pydantic validation errors turned into problems a person reads.

Pydantic's error locations include the names of union branches (``float``,
``tagged-union[...]``, a distribution's tag); :func:`explain` walks the actual data to
drop them, keeps only the relevant branch's errors (a number-or-distribution field
given a mapping reports the mapping's problems) and says what would be valid: field
names with a did-you-mean, allowed ranges, distribution names, expected types.
"""

from __future__ import annotations

import re
import types
from dataclasses import dataclass
from typing import Annotated, Any, Union, get_args, get_origin

from pydantic import BaseModel, ValidationError

from sim.scenario.errors import did_you_mean

__all__ = ["Finding", "explain", "field_at"]

Path = tuple[str | int, ...]

#: Errors saying the value has the wrong type altogether (as opposed to a bad value).
_TYPE_ERRORS = {
    "float_type",
    "float_parsing",
    "int_type",
    "int_parsing",
    "int_from_float",
    "string_type",
    "bool_type",
    "bool_parsing",
    "dict_type",
    "model_type",
    "model_attributes_type",
    "list_type",
    "none_required",
    "is_instance_of",
}
_EXPECTED = {
    "float_type": "a number",
    "float_parsing": "a number",
    "int_type": "a whole number",
    "int_parsing": "a whole number",
    "int_from_float": "a whole number",
    "string_type": "text",
    "bool_type": "true or false",
    "bool_parsing": "true or false",
    "dict_type": "a mapping",
    "model_type": "a mapping",
    "list_type": "a list",
    "none_required": "null",
}
_NAME_RULE = "lower-case letters, digits and '_', starting with a letter"
_COMPARE = {
    "greater_than_equal": ("ge", ">="),
    "greater_than": ("gt", ">"),
    "less_than_equal": ("le", "<="),
    "less_than": ("lt", "<"),
}


@dataclass(frozen=True)
class Finding:
    """A problem before it has a place in a file.

    ``anchor`` is the path to locate (the parent mapping for a missing field) and
    ``key`` asks for the key's position rather than the value's.
    """

    path: Path
    message: str
    anchor: Path
    key: bool = False


def explain(error: ValidationError, data: Any, root: type[BaseModel]) -> list[Finding]:
    """Translate a pydantic ``ValidationError`` on ``data`` (validated as ``root``).

    Parameters
    ----------
    error : ValidationError
        What ``root.model_validate(data)`` raised.
    data : Any
        The plain data that was validated.
    root : type[BaseModel]
        The model validated against (used to list valid field names).

    Returns
    -------
    list[Finding]
        One finding per distinct problem, in pydantic's order.
    """
    errors = [_Error.of(e, data) for e in error.errors(include_url=False)]
    # Within a union, keep the errors of the branch that fits the data.
    unions: dict[Path, list[_Error]] = {}
    for e in errors:
        if e.union is not None:
            unions.setdefault(e.union, []).append(e)
    out: list[Finding] = []
    done: set[Path] = set()
    for e in errors:
        if e.union is None:
            out.append(e.finding(data, root))
            continue
        if e.union in done:
            continue
        done.add(e.union)
        out.extend(_union_findings(unions[e.union], data, root))
    unique: dict[tuple, Finding] = {}
    for f in out:
        unique.setdefault((f.path, f.message), f)
    return _merge_misspelt(list(unique.values()))


def _merge_misspelt(findings: list[Finding]) -> list[Finding]:
    """A misspelt field is one mistake: drop 'required field missing' for a field that
    an unknown sibling's did-you-mean already names."""
    named = {
        (f.path[:-1], m.group(1))
        for f in findings
        if (m := re.search(r"did you mean '([^']+)'", f.message))
        and f.message.startswith("unknown field")
    }
    return [f for f in findings
            if not (f.message == "required field missing" and (f.path[:-1], f.path[-1]) in named)]


def _union_findings(group: list[_Error], data: Any, root: type[BaseModel]) -> list[Finding]:
    deep = [e for e in group if not e.shallow]
    if deep:
        return [e.finding(data, root) for e in deep]
    constraints = [e for e in group if e.type not in _TYPE_ERRORS]
    kept = constraints or group
    if len(kept) == 1:
        return [kept[0].finding(data, root)]
    phrases = list(dict.fromkeys(e.expected() for e in kept))
    first = kept[0]
    return [
        Finding(
            first.path, f"expected {' or '.join(phrases)}, got {_show(first.input)}", first.path
        )
    ]


@dataclass
class _Error:
    type: str
    path: Path  # cleaned of union branch names
    union: Path | None  # where a union branch name was dropped, if any
    shallow: bool  # the error is about the union's value itself
    key_error: bool  # the error is about a mapping key, not its value
    input: Any
    msg: str
    ctx: dict

    @classmethod
    def of(cls, e: dict, data: Any) -> _Error:
        loc, kind = tuple(e["loc"]), e["type"]
        node, path, union, key_error = data, [], None, False
        for i, part in enumerate(loc):
            last = i == len(loc) - 1
            if part == "[key]":
                key_error = True
            elif (isinstance(node, dict) and part in node) or (
                isinstance(node, list) and isinstance(part, int) and 0 <= part < len(node)
            ):
                path.append(part)
                node = node[part]
            elif last and kind == "missing":
                path.append(part)
            elif union is None:
                union = tuple(path)
        shallow = (
            union is not None
            and union == tuple(path)
            and kind not in ("union_tag_invalid", "union_tag_not_found")
        )
        return cls(
            kind,
            tuple(path),
            union,
            shallow,
            key_error,
            e.get("input"),
            e["msg"],
            e.get("ctx") or {},
        )

    def expected(self) -> str:
        if self.type == "model_attributes_type":
            return "a distribution mapping" if self.union is not None else "a mapping"
        if self.type == "literal_error":
            return "one of " + ", ".join(f"'{v}'" for v in self.literals())
        if self.type == "string_pattern_mismatch":
            return f"a name ({_NAME_RULE})"
        if self.type in _COMPARE:
            name, op = _COMPARE[self.type]
            return f"a number {op} {_num(self.ctx.get(name))}"
        return _EXPECTED.get(self.type, "a valid value")

    def literals(self) -> list[str]:
        return re.findall(r"'([^']*)'", str(self.ctx.get("expected", "")))

    def finding(self, data: Any, root: type[BaseModel]) -> Finding:
        path, t = self.path, self.type
        if t == "missing":
            return Finding(path, "required field missing", path[:-1], key=True)
        if t == "extra_forbidden":
            valid = _field_names(root, path[:-1], data)
            name = path[-1] if path else "?"
            hint = f"; {did_you_mean(name, valid)}" if valid else ""
            return Finding(path, f"unknown field '{name}'{hint}", path, key=True)
        if self.key_error:
            return Finding(path, f"the key {_key_message(self)}", path, key=True)
        if t == "union_tag_invalid":
            tag = self.ctx.get("tag")
            tags = re.findall(r"'([^']*)'", str(self.ctx.get("expected_tags", "")))
            disc = str(self.ctx.get("discriminator", "")).strip("'")
            what = "distribution" if disc == "dist" else "kind"
            where = (*path, disc) if _has(data, path, disc) else path
            return Finding(where, f"unknown {what} '{tag}'; {did_you_mean(tag, tags)}", where)
        if t == "union_tag_not_found":
            disc = str(self.ctx.get("discriminator", "")).strip("'")
            if disc == "dist":
                return Finding(
                    path,
                    "a distribution needs a 'dist' key (one of "
                    f"{_quoted(_distribution_names())}), or give a plain number",
                    path,
                )
            return Finding(path, f"missing the '{disc}' key", path)
        if t == "literal_error":
            valid = self.literals()
            if isinstance(self.input, str):
                return Finding(
                    path, f"unknown value '{self.input}'; {did_you_mean(self.input, valid)}", path
                )
            return Finding(path, f"expected one of {_quoted(valid)}, got {_show(self.input)}", path)
        if t in _COMPARE:
            name, op = _COMPARE[t]
            return Finding(
                path, f"must be {op} {_num(self.ctx.get(name))} (got {_show(self.input)})", path
            )
        if t in ("too_short", "too_long"):
            n = self.ctx.get("min_length" if t == "too_short" else "max_length")
            bound = "at least" if t == "too_short" else "at most"
            return Finding(
                path, f"needs {bound} {n} entries (got {self.ctx.get('actual_length')})", path
            )
        if t in ("string_too_short", "string_too_long"):
            n = self.ctx.get("min_length" if t == "string_too_short" else "max_length")
            bound = "at least" if t == "string_too_short" else "at most"
            return Finding(path, f"must have {bound} {n} characters", path)
        if t == "string_pattern_mismatch":
            return Finding(path, _pattern_message(self), path)
        if t in _TYPE_ERRORS:
            return Finding(path, _type_message(self), path)
        if t in ("value_error", "assertion_error"):
            return Finding(path, re.sub(r"^(Value|Assertion) error, ", "", self.msg), path)
        return Finding(path, self.msg[:1].lower() + self.msg[1:], path)


def _type_message(e: _Error) -> str:
    message = f"expected {e.expected()}, got {_show(e.input)}"
    if (
        e.type == "string_type"
        and isinstance(e.input, (int, float))
        and not isinstance(e.input, bool)
    ):
        message += f" (quote it to make it text: '{e.input}')"
    return message


def _key_message(e: _Error) -> str:
    if e.type == "string_pattern_mismatch":
        return _pattern_message(e)
    return _type_message(e)


def _pattern_message(e: _Error) -> str:
    if "\\." in str(e.ctx.get("pattern", "")):
        return f"'{e.input}' is not a dotted path like 'actors.us.moves.0.cost'"
    return f"'{e.input}' is not a valid name: use {_NAME_RULE}"


def _has(data: Any, path: Path, key: str) -> bool:
    node = data
    for part in path:
        try:
            node = node[part]
        except (KeyError, IndexError, TypeError):
            return False
    return isinstance(node, dict) and key in node


def _show(v: Any) -> str:
    if isinstance(v, dict):
        return "a mapping"
    if isinstance(v, list):
        return "a list"
    if v is None:
        return "null"
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, str):
        return repr(v) if len(v) <= 40 else repr(v[:37] + "...")
    return repr(v)


def _num(x: Any) -> str:
    if isinstance(x, float) and x.is_integer():
        return str(int(x))
    return str(x)


def _quoted(names: list[str]) -> str:
    return ", ".join(f"'{n}'" for n in sorted(names))


# --- which model sits at a path -----------------------------------------------------------


_MISSING = object()


def _walk(root: type[BaseModel], path: Path, data: Any):
    """Follow ``path`` through the models and the data: (type at the end, the
    FieldInfo of the last model field on the way or None, the data node), or
    ``_MISSING`` when the path leaves the models."""
    tp: Any = root
    node = data
    info = None
    for part in path:
        tp = _concrete(tp, node)
        if isinstance(tp, type) and issubclass(tp, BaseModel):
            info = _field(tp, part)
            if info is None:
                return _MISSING
            tp = info.annotation
        elif get_origin(tp) in (dict, list):
            tp = get_args(tp)[-1]
            info = None
        else:
            return _MISSING
        try:
            node = node[part]
        except (KeyError, IndexError, TypeError):
            node = None
    return tp, info, node


def _field_names(root: type[BaseModel], path: Path, data: Any) -> list[str]:
    """Field names (aliases where set) of the model at ``path``, or [] if not a model."""
    found = _walk(root, path, data)
    if found is _MISSING:
        return []
    tp = _concrete(found[0], found[2])
    if isinstance(tp, type) and issubclass(tp, BaseModel):
        return [f.alias or name for name, f in tp.model_fields.items()]
    return []


def field_at(root: type[BaseModel], path: Path, data: Any) -> Any:
    """The pydantic FieldInfo of the field at ``path`` in ``data``, or None."""
    found = _walk(root, path, data)
    return None if found is _MISSING else found[1]


def _field(model: type[BaseModel], part: str | int) -> Any:
    for name, f in model.model_fields.items():
        if part in (name, f.alias):
            return f
    return None


def _concrete(tp: Any, node: Any) -> Any:
    """Strip ``Annotated`` and pick the union member that fits ``node``."""
    while True:
        origin = get_origin(tp)
        if origin is Annotated:
            tp = get_args(tp)[0]
        elif origin in (Union, types.UnionType):
            tp = _pick(get_args(tp), node)
        else:
            return tp


def _pick(options: tuple, node: Any) -> Any:
    options = tuple(_concrete(o, None) if get_origin(o) is Annotated else o for o in options)
    if isinstance(node, dict):
        models = []
        for o in options:
            for m in _flatten(o):
                if isinstance(m, type) and issubclass(m, BaseModel):
                    models.append(m)
                elif get_origin(m) is dict:
                    return m
        for m in models:
            f = m.model_fields.get("dist")
            if f is not None and node.get("dist") in get_args(f.annotation):
                return m
        return models[0] if len(models) == 1 else None
    if isinstance(node, list):
        return next((o for o in options if get_origin(o) is list), None)
    return None


def _flatten(tp: Any) -> list:
    tp = get_args(tp)[0] if get_origin(tp) is Annotated else tp
    if get_origin(tp) in (Union, types.UnionType):
        return [m for a in get_args(tp) for m in _flatten(a)]
    return [tp]


def _distribution_names() -> list[str]:
    from sim.scenario.distributions import Distribution

    names = []
    for m in _flatten(Distribution):
        names.extend(get_args(m.model_fields["dist"].annotation))
    return names
