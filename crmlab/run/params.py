"""Study parameters: declared in a notebook's ``parameters`` cell, validated before any kernel starts.

A parameters cell holds only simple assignments, optionally annotated::

    seed: int = 20261124
    data: str = "data/ecsi/satisfaction.csv"
    group: str | None = "gender"
    drivers: list = ["q2", "q3"]
    bootstrap = 5000            # type taken from the default: int

The declared type is the annotation when present, else the type of the
default (``None`` without an annotation accepts anything). Papermill only
warns about unknown names (its issues #818 and #55); crmlab refuses them,
naming the parameter and listing the valid ones.
"""
from __future__ import annotations

import ast
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from crmlab.core.errors import ParameterError

_SIMPLE_TYPES = {"int": int, "float": float, "str": str, "bool": bool, "list": list, "dict": dict}


@dataclass(frozen=True)
class Param:
    """One declared parameter: name, default, accepted types, whether None is allowed."""

    name: str
    default: Any
    types: tuple[type, ...]  # empty tuple: any type
    optional: bool

    @property
    def type_name(self) -> str:
        names = [t.__name__ for t in self.types] or ["any"]
        return " | ".join(names + (["None"] if self.optional and self.types else []))


def _annotation_types(node: ast.expr, where: str) -> tuple[tuple[type, ...], bool]:
    """Map an annotation AST (int, str | None, Optional[str], list[str]) to (types, optional)."""
    if isinstance(node, ast.Constant) and node.value is None:
        return (), True
    if isinstance(node, ast.Name):
        if node.id == "Any":
            return (), True
        if node.id in _SIMPLE_TYPES:
            return (_SIMPLE_TYPES[node.id],), False
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.BitOr):
        lt, lo = _annotation_types(node.left, where)
        rt, ro = _annotation_types(node.right, where)
        return lt + rt, lo or ro
    if isinstance(node, ast.Subscript) and isinstance(node.value, ast.Name):
        if node.value.id in ("list", "List"):
            return (list,), False
        if node.value.id in ("dict", "Dict"):
            return (dict,), False
        if node.value.id == "Optional":
            t, _ = _annotation_types(node.slice, where)
            return t, True
    raise ParameterError(f"{where}: unsupported type annotation {ast.unparse(node)!r}")


def parse_parameters_source(source: str, where: str = "parameters cell") -> dict[str, Param]:
    """Parse the source of a parameters cell into declared parameters."""
    try:
        tree = ast.parse(source)
    except SyntaxError as exc:
        raise ParameterError(f"{where}: line {exc.lineno}: {exc.msg}") from None
    params: dict[str, Param] = {}
    for stmt in tree.body:
        if isinstance(stmt, ast.AnnAssign) and isinstance(stmt.target, ast.Name) and stmt.value is not None:
            name, value_node = stmt.target.id, stmt.value
            types, optional = _annotation_types(stmt.annotation, f"{where}, parameter {name!r}")
        elif isinstance(stmt, ast.Assign) and len(stmt.targets) == 1 and isinstance(stmt.targets[0], ast.Name):
            name, value_node, types, optional = stmt.targets[0].id, stmt.value, None, False
        elif isinstance(stmt, ast.Expr) and isinstance(stmt.value, ast.Constant):
            continue  # a docstring-like comment string
        else:
            raise ParameterError(
                f"{where}: line {stmt.lineno}: only 'name = literal' or 'name: type = literal' "
                f"assignments are allowed, got {ast.unparse(stmt)!r}"
            )
        try:
            default = ast.literal_eval(value_node)
        except ValueError:
            raise ParameterError(
                f"{where}: line {stmt.lineno}: the default of {name!r} must be a literal, "
                f"got {ast.unparse(value_node)!r}"
            ) from None
        if types is None:
            if default is None:
                types, optional = (), True
            else:
                types, optional = (type(default),), False
        if default is None:
            optional = True
        params[name] = Param(name, default, types, optional)
    return params


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


def parse_cli_value(text: str) -> Any:
    """Parse ``-p NAME=VALUE`` values as YAML scalars or lists (``[a, b]``, ``3``, ``true``, ``null``)."""
    try:
        return yaml.safe_load(text) if text.strip() else ""
    except yaml.YAMLError:
        return text


def _convert(value: Any, p: Param) -> Any:
    if value is None:
        if p.optional:
            return None
        raise TypeError
    if not p.types:
        return value
    for t in p.types:
        if t is bool:
            if isinstance(value, bool):
                return value
        elif t is int:
            if isinstance(value, bool):
                continue
            if isinstance(value, int):
                return value
            if isinstance(value, float) and value.is_integer():
                return int(value)
            if isinstance(value, str):
                try:
                    return int(value)
                except ValueError:
                    continue
        elif t is float:
            if isinstance(value, bool):
                continue
            if isinstance(value, (int, float)):
                return float(value)
            if isinstance(value, str):
                try:
                    return float(value)
                except ValueError:
                    continue
        elif t is str:
            if isinstance(value, (str, int, float)) and not isinstance(value, bool):
                return str(value)
            if hasattr(value, "isoformat"):  # YAML reads 1997-09-30 as a date
                return value.isoformat()
        elif t is list:
            if isinstance(value, (list, tuple)):
                return list(value)
            if isinstance(value, (str, int, float)) and not isinstance(value, bool):
                return [value]
        elif t is dict:
            if isinstance(value, dict):
                return value
    raise TypeError


def validate_parameters(declared: dict[str, Param], given: dict[str, Any], where: str) -> dict[str, Any]:
    """Check ``given`` against ``declared``; return all parameters (defaults filled in, values converted).

    Raises
    ------
    ParameterError
        For an unknown name (listing the valid ones) or a value that cannot be
        converted to the declared type. All problems are reported at once.
    """
    problems = []
    valid = ", ".join(f"{n} ({p.type_name})" for n, p in declared.items()) or "none"
    out = {n: p.default for n, p in declared.items()}
    for name, value in given.items():
        if name not in declared:
            problems.append(f"unknown parameter {name!r}")
            continue
        p = declared[name]
        try:
            out[name] = _convert(value, p)
        except TypeError:
            problems.append(f"parameter {name!r} expects {p.type_name}, got {value!r}")
    if problems:
        raise ParameterError(f"{where}: " + "; ".join(problems) + f". Valid parameters: {valid}")
    return out
