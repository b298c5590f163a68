"""Study parameters: declared in a notebook's ``parameters`` cell, checked by meaning before any kernel starts.

A parameters cell holds simple assignments with literal defaults, optionally annotated, each with a
one-line description in a trailing comment (``crmlab params`` shows it)::

    from typing import Literal
    from crmlab.core.params import AtLeast, Column, File

    seed: int = 20261124                 # random seed
    data: File = "data/x.csv"            # the survey export
    outcome: Column("data") = "q1"       # overall satisfaction item
    drivers: list[str] = ["q2", "q3"]    # attribute items
    bootstrap: AtLeast(0) = 2000         # bootstrap resamples
    group: str | None = "gender"         # grouping column (None: no groups)
    lang: Literal["en", "zh"] = "en"     # language of the report

The declared type is the annotation when present, else the type of the default (``None``
without an annotation accepts anything). Markers (:mod:`crmlab.core.params`) add meaning:
files that must exist, columns that must be in a file's header, ranges, a model text that must
parse, dates in order. Papermill only warns about unknown names (its issues #818 and #55);
crmlab refuses them, naming the parameter and listing the valid ones.
"""
from __future__ import annotations

import ast
import io
import json
import re
import tokenize
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from crmlab.core.errors import ParameterError

_SIMPLE_TYPES = {"int": int, "float": float, "str": str, "bool": bool, "list": list, "dict": dict}
_MARKERS = {"File", "Column", "Columns", "Between", "AtLeast", "AtMost", "ModelText", "Date"}
_IMPORTS_ALLOWED = {"typing", "crmlab.core.params"}


@dataclass(frozen=True)
class Alt:
    """One accepted form of a value: ``kind`` (type, none, literal, file, column, columns, range, model,
    date) with its details."""

    kind: str
    arg: Any = None
    arg2: Any = None

    def describe(self) -> str:
        if self.kind == "type":
            if self.arg is list and isinstance(self.arg2, tuple):
                return "a list of " + ", ".join(repr(v) for v in self.arg2)
            return f"list[{self.arg2.__name__}]" if self.arg is list and self.arg2 else self.arg.__name__
        if self.kind == "none":
            return "None"
        if self.kind == "literal":
            return "one of " + ", ".join(repr(v) for v in self.arg)
        if self.kind == "file":
            return "an existing data file"
        if self.kind == "column":
            return f"a column of {self.arg!r}"
        if self.kind == "columns":
            return f"columns of {self.arg!r}"
        if self.kind == "range":
            lo, hi = self.arg
            if lo is not None and hi is not None:
                return f"a number from {lo} to {hi}"
            return f"a number >= {lo}" if lo is not None else f"a number <= {hi}"
        if self.kind == "model":
            return "a model text"
        if self.kind == "date":
            return "a date (YYYY-MM-DD)" + (f" after {self.arg!r}" if self.arg else "")
        return self.kind


@dataclass(frozen=True)
class Param:
    """One declared parameter: name, default, accepted forms, one-line description."""

    name: str
    default: Any
    alts: tuple[Alt, ...]          # empty: any value
    description: str = ""
    number: type | None = None     # int or float for ranges (from the default)

    @property
    def optional(self) -> bool:
        return any(a.kind == "none" for a in self.alts) or not self.alts

    @property
    def types(self) -> tuple[type, ...]:
        """The plain Python types a value may have (for code that asks)."""
        out = []
        for a in self.alts:
            if a.kind == "type":
                t = a.arg
            elif a.kind == "literal":
                t = type(a.arg[0]) if a.arg else str
            elif a.kind == "range":
                t = self.number
            else:
                t = {"file": str, "column": str, "columns": list, "model": str, "date": str}.get(a.kind)
            if t is not None and t not in out:
                out.append(t)
        return tuple(out)

    @property
    def type_name(self) -> str:
        return " | ".join(a.describe() for a in self.alts) or "any"


# --- reading a parameters cell ------------------------------------------------------------------


def _literal(node: ast.expr, where: str):
    try:
        return ast.literal_eval(node)
    except ValueError:
        raise ParameterError(f"{where}: {ast.unparse(node)!r} must be a literal") from None


def _alts(node: ast.expr, where: str) -> list[Alt]:
    """The accepted forms of an annotation (int, str | None, list[str], Literal[...], markers)."""
    if isinstance(node, ast.Constant) and node.value is None:
        return [Alt("none")]
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.BitOr):
        return _alts(node.left, where) + _alts(node.right, where)
    name = node.id if isinstance(node, ast.Name) else None
    if name == "Any":
        return []
    if name in _SIMPLE_TYPES:
        return [Alt("type", _SIMPLE_TYPES[name])]
    if name == "File":
        return [Alt("file")]
    if name == "ModelText":
        return [Alt("model")]
    if name == "Date":
        return [Alt("date")]
    if isinstance(node, ast.Subscript) and isinstance(node.value, ast.Name):
        head = node.value.id
        if head in ("list", "List"):
            inner = node.slice.id if isinstance(node.slice, ast.Name) else None
            if (isinstance(node.slice, ast.Subscript) and isinstance(node.slice.value, ast.Name)
                    and node.slice.value.id == "Literal"):  # list[Literal["a", "b"]]: every item one of them
                elts = node.slice.slice.elts if isinstance(node.slice.slice, ast.Tuple) else [node.slice.slice]
                return [Alt("type", list, tuple(_literal(e, where) for e in elts))]
            return [Alt("type", list, _SIMPLE_TYPES.get(inner) if inner in ("str", "int", "float") else None)]
        if head in ("dict", "Dict"):
            return [Alt("type", dict)]
        if head == "Optional":
            return _alts(node.slice, where) + [Alt("none")]
        if head == "Literal":
            elts = node.slice.elts if isinstance(node.slice, ast.Tuple) else [node.slice]
            return [Alt("literal", tuple(_literal(e, where) for e in elts))]
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id in _MARKERS:
        m = node.func.id
        args = [_literal(a, where) for a in node.args]
        kw = {k.arg: _literal(k.value, where) for k in node.keywords}
        if m in ("Column", "Columns"):
            if len(args) != 1 or not isinstance(args[0], str):
                raise ParameterError(f"{where}: {m}() takes the name of the file parameter, e.g. {m}(\"data\")")
            return [Alt(m.lower(), args[0])]
        if m == "Between":
            return [Alt("range", (args + [None, None])[:2] if args else (kw.get("low"), kw.get("high")))]
        if m == "AtLeast":
            return [Alt("range", (args[0] if args else kw.get("low"), None))]
        if m == "AtMost":
            return [Alt("range", (None, args[0] if args else kw.get("high")))]
        if m == "Date":
            return [Alt("date", kw.get("after"))]
        if m == "File":
            return [Alt("file")]
        if m == "ModelText":
            return [Alt("model", args[0] if args else None)]
    raise ParameterError(f"{where}: unsupported type annotation {ast.unparse(node)!r}")


def _comments(source: str) -> dict[int, str]:
    """Trailing comments by line number (the parameters' one-line descriptions)."""
    out = {}
    try:
        for tok in tokenize.generate_tokens(io.StringIO(source).readline):
            if tok.type == tokenize.COMMENT:
                out[tok.start[0]] = tok.string.lstrip("#").strip()
    except (tokenize.TokenError, IndentationError, SyntaxError):
        pass
    return out


def parse_parameters_source(source: str, where: str = "parameters cell") -> dict[str, Param]:
    """Parse the source of a parameters cell into declared parameters."""
    try:
        tree = ast.parse(source)
    except SyntaxError as exc:
        raise ParameterError(f"{where}: line {exc.lineno}: {exc.msg}") from None
    comments = _comments(source)
    params: dict[str, Param] = {}
    for stmt in tree.body:
        if isinstance(stmt, ast.ImportFrom) and stmt.module in _IMPORTS_ALLOWED:
            continue
        if isinstance(stmt, ast.AnnAssign) and isinstance(stmt.target, ast.Name) and stmt.value is not None:
            name, value_node = stmt.target.id, stmt.value
            alts = _alts(stmt.annotation, f"{where}, parameter {name!r}")
        elif isinstance(stmt, ast.Assign) and len(stmt.targets) == 1 and isinstance(stmt.targets[0], ast.Name):
            name, value_node, alts = stmt.targets[0].id, stmt.value, None
        elif isinstance(stmt, ast.Expr) and isinstance(stmt.value, ast.Constant):
            continue  # a docstring-like comment string
        else:
            raise ParameterError(
                f"{where}: line {stmt.lineno}: only 'name = literal' or 'name: type = literal' assignments "
                f"(and 'from typing / crmlab.core.params import ...') are allowed, got {ast.unparse(stmt)!r}")
        default = _literal(value_node, f"{where}: line {stmt.lineno}: the default of {name!r}")
        if alts is None:
            alts = [] if default is None else [Alt("type", type(default))]
        elif default is None and not any(a.kind == "none" for a in alts):
            alts = alts + [Alt("none")]
        number = _number_type(default, alts)
        description = comments.get(stmt.lineno) or comments.get(stmt.end_lineno or stmt.lineno, "")
        params[name] = Param(name, default, tuple(alts), description, number)
    return params


def _number_type(default, alts) -> type:
    """int or float for a range: the default's type; without a numeric default, int when the bounds are whole."""
    if isinstance(default, bool) or not isinstance(default, (int, float)):
        bounds = [b for a in alts if a.kind == "range" for b in a.arg if b is not None]
        return int if bounds and all(isinstance(b, int) and not isinstance(b, bool) for b in bounds) else float
    return int if isinstance(default, int) else float


def parameters_cell(nb: dict) -> str:
    """Source of the cell tagged ``parameters`` in a notebook's JSON (empty when it has none)."""
    for cell in nb.get("cells", []):
        if cell.get("cell_type") == "code" and "parameters" in cell.get("metadata", {}).get("tags", []):
            src = cell.get("source", "")
            return "".join(src) if isinstance(src, list) else src
    return ""


def notebook_parameters(path: str | Path) -> dict[str, Param]:
    """Declared parameters of a notebook file (read as plain JSON: fast, no kernel)."""
    try:
        nb = json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError) as exc:
        raise ParameterError(f"{path}: not a readable notebook ({exc})") from None
    return parse_parameters_source(parameters_cell(nb), f"{path}: parameters cell")


# --- values from -p and --params: YAML without its traps -----------------------------------------


class CLIText(str):
    """A value typed on the command line (``-p NAME=VALUE``), converted by the parameter's declared type:
    text stays text (``yes`` stays ``yes``, newlines stay), numbers and lists are read as YAML."""


class _Loader(yaml.SafeLoader):
    """YAML with the core schema's scalars only: ``true``/``false`` are booleans but ``yes``, ``no``,
    ``on``, ``off`` stay text; no dates, octals or sexagesimals (``0123`` stays ``"0123"``... as 123 only
    when declared a number)."""


_Loader.yaml_implicit_resolvers = {}
for _tag, _regexp, _first in [
    ("tag:yaml.org,2002:bool", r"^(?:true|True|TRUE|false|False|FALSE)$", list("tTfF")),
    ("tag:yaml.org,2002:int", r"^[-+]?(?:0|[1-9][0-9]*)$", list("-+0123456789")),
    ("tag:yaml.org,2002:float",
     r"^(?:[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN))$",
     list("-+0123456789.")),
    ("tag:yaml.org,2002:null", r"^(?:~|null|Null|NULL|)$", ["~", "n", "N", ""]),
]:
    _Loader.add_implicit_resolver(_tag, re.compile(_regexp), _first)


def load_yaml(text: str, where: str) -> Any:
    """YAML read with :class:`_Loader`; a syntax error names the file, line and column."""
    try:
        return yaml.load(text, Loader=_Loader)  # noqa: S506 - a SafeLoader subclass
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        at = f" line {mark.line + 1}, column {mark.column + 1}" if mark is not None else ""
        problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        raise ParameterError(f"{where}:{at}: not valid YAML ({problem})") from None


def parse_cli_value(text: str) -> Any:
    """A ``-p NAME=VALUE`` value, kept as typed until the parameter's declared type is known."""
    return CLIText(text)


def _yaml_value(text: str) -> Any:
    try:
        return yaml.load(text, Loader=_Loader) if text.strip() else ""  # noqa: S506
    except yaml.YAMLError:
        return str(text)


# --- conversion and checks ----------------------------------------------------------------------


class _NoMatch(Exception):
    pass


_TEXT_KINDS = ("file", "column", "model", "date")


def _to_number(value, number: type):
    if isinstance(value, bool):
        raise _NoMatch
    if isinstance(value, str):
        try:
            value = int(value.strip()) if number is int else float(value.strip())
        except ValueError:
            raise _NoMatch from None
    if number is int:
        if isinstance(value, int) or (isinstance(value, float) and value.is_integer()):
            return int(value)
        raise _NoMatch
    if isinstance(value, (int, float)):
        return float(value)
    raise _NoMatch


def _convert_alt(value: Any, alt: Alt, p: Param) -> Any:
    raw = value if isinstance(value, CLIText) else None
    if raw is not None:
        text_like = alt.kind in _TEXT_KINDS or (alt.kind == "type" and alt.arg is str) or (
            alt.kind == "literal" and raw in [str(v) for v in alt.arg])
        if text_like:
            if alt.kind == "literal":
                return next(v for v in alt.arg if str(v) == raw)
            if alt.kind != "date":
                return str(raw)
            value = str(raw)
        else:
            value = _yaml_value(raw)
    if alt.kind == "none":
        if value is None:
            return None
        raise _NoMatch
    if value is None:
        raise _NoMatch
    if alt.kind == "literal":
        for v in alt.arg:
            if value == v and isinstance(value, bool) == isinstance(v, bool):
                return v
        raise _NoMatch
    if alt.kind == "range":
        x = _to_number(value, p.number or float)
        lo, hi = alt.arg
        if (lo is not None and x < lo) or (hi is not None and x > hi):
            raise _NoMatch
        return x
    if alt.kind in ("file", "column", "model"):
        if isinstance(value, str):
            return value
        raise _NoMatch
    if alt.kind == "date":
        if hasattr(value, "isoformat"):
            return value.isoformat()
        if isinstance(value, str):
            import datetime as dt

            try:
                dt.date.fromisoformat(value.strip()[:10])
            except ValueError:
                raise _NoMatch from None
            return value.strip()
        raise _NoMatch
    if alt.kind == "columns":
        if isinstance(value, str):
            return [value]
        if isinstance(value, (list, tuple)) and all(isinstance(v, str) for v in value):
            return list(value)
        raise _NoMatch
    t = alt.arg
    if t is bool:
        if isinstance(value, bool):
            return value
        raise _NoMatch
    if t in (int, float):
        return _to_number(value, t)
    if t is str:
        if isinstance(value, (str, int, float)) and not isinstance(value, bool):
            return str(value)
        if hasattr(value, "isoformat"):
            return value.isoformat()
        raise _NoMatch
    if t is list:
        items = list(value) if isinstance(value, (list, tuple)) else [value] if isinstance(
            value, (str, int, float)) and not isinstance(value, bool) else None
        if items is None:
            raise _NoMatch
        if isinstance(alt.arg2, tuple):
            items = [str(v) for v in items]
            if any(v not in alt.arg2 for v in items):
                raise _NoMatch
        elif alt.arg2 is str:
            if any(isinstance(v, (dict, list)) for v in items):
                raise _NoMatch
            items = ["true" if v is True else "false" if v is False else str(v) for v in items]
        elif alt.arg2 in (int, float):
            items = [_to_number(v, alt.arg2) for v in items]
        return items
    if t is dict:
        if isinstance(value, dict):
            return value
        raise _NoMatch
    raise _NoMatch


def convert(value: Any, p: Param) -> Any:
    """``value`` as parameter ``p`` declares it, or :class:`ParameterError` saying what is accepted."""
    if not p.alts:
        return _yaml_value(value) if isinstance(value, CLIText) else value
    if isinstance(value, CLIText) and value.strip() in ("null", "None", "~") and p.optional:
        return None
    for alt in p.alts:
        try:
            return _convert_alt(value, alt, p)
        except _NoMatch:
            continue
    shown = str(value) if isinstance(value, CLIText) else repr(value)
    raise ParameterError(f"parameter {p.name!r} expects {p.type_name}, got {shown}")


def validate_parameters(declared: dict[str, Param], given: dict[str, Any], where: str, *,
                        base: Path | None = None) -> dict[str, Any]:
    """Check ``given`` against ``declared``; return all parameters (defaults filled in, values converted).

    Types, choices and ranges first; then meaning, for every parameter whose value came from
    ``given`` or whose file it depends on did: files exist, columns are in the file's header
    (read from the header only), a model text parses, dates are in order. ``base`` is the
    folder relative paths are read from first (the caller's working directory).

    Raises
    ------
    ParameterError
        Naming every problem at once, each with the parameter and what it accepts.
    """
    problems = []
    valid = ", ".join(f"{n} ({p.type_name})" for n, p in declared.items()) or "none"
    out = {n: p.default for n, p in declared.items()}
    for name, value in given.items():
        if name not in declared:
            problems.append(f"unknown parameter {name!r}")
            continue
        try:
            out[name] = convert(value, declared[name])
        except ParameterError as exc:
            problems.append(str(exc))
    if problems:
        raise ParameterError(f"{where}: " + "; ".join(problems) + f". Valid parameters: {valid}")
    from crmlab.run.meaning import check_meaning

    problems = check_meaning(declared, out, set(given), base=base)
    if problems:
        raise ParameterError(f"{where}: " + "; ".join(problems))
    return out


@dataclass
class Overrides:
    """Parameters given for a run: shared ones, and sections that apply to one study each."""

    shared: dict[str, Any] = field(default_factory=dict)
    sections: dict[str, dict[str, Any]] = field(default_factory=dict)

    def for_study(self, names: set[str]) -> dict[str, Any]:
        """The overrides for a study known by any of ``names`` (its name in studies.yaml, its stem)."""
        out = dict(self.shared)
        for n in sorted(names):
            out.update(self.sections.get(n, {}))
        return out
