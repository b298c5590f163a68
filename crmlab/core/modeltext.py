"""A small parser for lavaan-style model descriptions.

One description drives every estimator (PLS path modelling, covariance-based
SEM, mediation, multi-group comparison)::

    # measurement
    IMAG =~ imag1 + imag2 + imag3
    SAT  =~ sat1 + sat2 + sat3
    # structure
    SAT ~ IMAG

Supported operators are ``=~`` (reflective measurement, PLS Mode A), ``<~``
(composite / formative measurement, PLS Mode B, as in lavaan and cSEM) and
``~`` (structural regression).  Statements are separated by new lines or
``;``; a ``#`` starts a comment; a statement may continue on the next line when
the line ends with ``+``.  Fixed values or labels (``0.5*x``, ``a*x``) and the
covariance operator ``~~`` are not supported and give a clear error.

Names: construct and item names are letters of any script (``形象``, ``满意度``), digits,
``_`` and ``.``, not starting with a digit. Any other name (spaces, brackets, a leading digit)
is written between backticks or double quotes: ```推荐意愿(0-10)``` or ``"overall sat"``.

Higher-order constructs are constructs measured by constructs::

    QUAL1 =~ qual1 + qual2 + qual3
    QUAL2 =~ qual4 + qual5
    QUAL  =~ QUAL1 + QUAL2     # reflective-reflective (type I) second order
    VAL   <~ VAL1 + VAL2       # reflective-formative (type II) second order
    SAT ~ QUAL

A higher-order construct takes the structural paths; its lower-order
constructs take none.  Only second order is supported.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from crmlab.core.errors import ParameterError

__all__ = ["ModelSpec", "parse_model", "make_spec", "ECSI_MODEL", "MODES"]

#: Outer (measurement) modes: "A" reflective (``=~``), "B" formative/composite (``<~``).
MODES = ("A", "B")

#: The ECSI model of R plspm's ``satisfaction`` example (Tenenhaus et al. 2005).
ECSI_MODEL = """\
# measurement model
IMAG =~ imag1 + imag2 + imag3 + imag4 + imag5
EXPE =~ expe1 + expe2 + expe3 + expe4 + expe5
QUAL =~ qual1 + qual2 + qual3 + qual4 + qual5
VAL  =~ val1 + val2 + val3 + val4
SAT  =~ sat1 + sat2 + sat3 + sat4
LOY  =~ loy1 + loy2 + loy3 + loy4
# structural model
EXPE ~ IMAG
QUAL ~ EXPE
VAL  ~ EXPE + QUAL
SAT  ~ IMAG + EXPE + QUAL + VAL
LOY  ~ IMAG + SAT
"""

_NAME = re.compile(r"^[^\W\d][\w.]*$")  # Unicode letters (形象, SAT), digits, '_' and '.'
_QUOTED = re.compile(r"^(`[^`]+`|\"[^\"]+\")$")
NAME_RULE = ("names are letters of any script (e.g. 形象, SAT), digits, '_' and '.', not starting with a digit; "
             "quote any other name with backticks or double quotes, e.g. `推荐意愿(0-10)`")


def _name(token: str, lineno: int, what: str) -> str:
    """A name as written (unquoted), or a ParameterError saying what names may be."""
    t = token.strip()
    if _QUOTED.match(t):
        return t[1:-1]
    if not _NAME.match(t):
        raise ParameterError(f"model line {lineno}: {t!r} is not a valid {what}: {NAME_RULE}")
    return t


def _outside_quotes(text: str) -> list[tuple[int, str]]:
    """(position, character) of every character not between quotes."""
    out, quote = [], None
    for i, ch in enumerate(text):
        if quote:
            if ch == quote:
                quote = None
        elif ch in "`\"":
            quote = ch
        else:
            out.append((i, ch))
    return out


def _split_outside(text: str, sep: str) -> list[str]:
    cuts = [i for i, ch in _outside_quotes(text) if ch == sep]
    parts, start = [], 0
    for c in cuts:
        parts.append(text[start:c])
        start = c + 1
    parts.append(text[start:])
    return parts


def _operator(stmt: str) -> tuple[str | None, int]:
    """The statement's operator ('=~', '<~', '~~' or '~') outside quotes, and its position."""
    plain = _outside_quotes(stmt)
    for k, (i, ch) in enumerate(plain):
        nxt = plain[k + 1] if k + 1 < len(plain) and plain[k + 1][0] == i + 1 else (None, "")
        if ch == "=" and nxt[1] == "~":
            return "=~", i
        if ch == "<" and nxt[1] == "~":
            return "<~", i
        if ch == "~":
            return ("~~", i) if nxt[1] == "~" else ("~", i)
    return None, -1


@dataclass(frozen=True)
class ModelSpec:
    """A parsed model: constructs with their items and directed paths.

    Attributes
    ----------
    constructs : dict
        Construct name -> tuple of item (column) names, in the order of the
        description; constructs are ordered so that every source precedes its
        targets (topological order).
    paths : tuple of (source, target)
        Structural paths.
    source : str
        The description text that was parsed.
    modes : dict
        Construct -> outer mode, ``"A"`` (``=~``) or ``"B"`` (``<~``);
        constructs not listed are Mode A.
    """

    constructs: dict
    paths: tuple
    source: str = field(default="", repr=False)
    modes: dict = field(default_factory=dict)

    # -- derived views -------------------------------------------------
    @property
    def names(self) -> list:
        """Construct names in topological order."""
        return list(self.constructs)

    @property
    def items(self) -> list:
        """All item (data column) names, block by block; lower-order constructs are not items."""
        return [it for its in self.constructs.values() for it in its if it not in self.constructs]

    def mode(self, construct: str) -> str:
        """Outer mode of a construct: ``"A"`` (reflective, ``=~``) or ``"B"`` (formative, ``<~``)."""
        return self.modes.get(construct, "A")

    def mode_b(self) -> np.ndarray:
        """Boolean array over :attr:`names`: True for Mode B (``<~``) blocks."""
        return np.array([self.mode(c) == "B" for c in self.names], dtype=bool)

    @property
    def higher_order(self) -> dict:
        """Higher-order construct -> tuple of its lower-order constructs (empty when none)."""
        return {c: its for c, its in self.constructs.items() if its and its[0] in self.constructs}

    @property
    def lower_order(self) -> dict:
        """Lower-order construct -> the higher-order construct it belongs to."""
        return {lo: h for h, los in self.higher_order.items() for lo in los}

    @property
    def endogenous(self) -> list:
        """Constructs that are the target of at least one path."""
        targets = {t for _, t in self.paths}
        return [c for c in self.names if c in targets]

    @property
    def exogenous(self) -> list:
        targets = {t for _, t in self.paths}
        return [c for c in self.names if c not in targets]

    def predecessors(self, construct: str) -> list:
        """Sources of the paths into ``construct`` (topological order)."""
        src = {s for s, t in self.paths if t == construct}
        return [c for c in self.names if c in src]

    def adjacency(self) -> np.ndarray:
        """``A[i, j] = 1`` when construct i -> construct j (order of :attr:`names`)."""
        idx = {c: i for i, c in enumerate(self.names)}
        a = np.zeros((len(idx), len(idx)))
        for s, t in self.paths:
            a[idx[s], idx[t]] = 1.0
        return a

    def block_matrix(self) -> np.ndarray:
        """``M[i, j] = 1`` when item i belongs to construct j."""
        if self.higher_order:
            raise ParameterError(
                f"the model has higher-order construct(s) {list(self.higher_order)}: it has no single block "
                "matrix; PLSPM estimates it through crmlab.sem.hoc.expand_model (argument hoc=...)")
        m = np.zeros((len(self.items), len(self.constructs)))
        i = 0
        for j, its in enumerate(self.constructs.values()):
            m[i:i + len(its), j] = 1.0
            i += len(its)
        return m

    def path_keys(self) -> list:
        """Keys ``"TARGET~SOURCE"`` of the structural paths, in a stable order."""
        return [f"{t}~{s}" for t in self.endogenous for s in self.predecessors(t)]

    def indirect_paths(self) -> list:
        """All chains ``(c0, c1, ..., ck)`` with k >= 2 links implied by the paths."""
        succ = {c: [t for s, t in self.paths if s == c] for c in self.names}
        out = []

        def walk(chain):
            for nxt in succ[chain[-1]]:
                new = chain + (nxt,)
                if len(new) >= 3:
                    out.append(new)
                walk(new)

        for c in self.names:
            walk((c,))
        return out

    def to_lavaan(self) -> str:
        """The model as a lavaan/semopy description."""
        lines = [f"{c} {'<~' if self.mode(c) == 'B' else '=~'} {' + '.join(its)}"
                 for c, its in self.constructs.items()]
        for t in self.endogenous:
            lines.append(f"{t} ~ {' + '.join(self.predecessors(t))}")
        return "\n".join(lines) + "\n"


def _read_source(model: str) -> str:
    if "=~" in model or "~" in model or "\n" in model or len(model) > 255:
        return model
    p = Path(model)
    if p.suffix and not p.exists():
        raise ParameterError(f"model file {model!r} does not exist")
    if p.exists():
        return p.read_text(encoding="utf-8")
    raise ParameterError(
        f"model {model!r} is neither a model description (no '=~' or '~') nor an existing file")


def _split_statements(text: str):
    """Yield (line_number, statement) pairs, joining lines that end with '+'."""
    pending, start = "", None
    for lineno, raw in enumerate(text.splitlines(), start=1):
        line = _split_outside(raw, "#")[0].strip()
        for part in _split_outside(line, ";"):
            part = part.strip()
            if not part:
                continue
            if pending:
                pending += " " + part
            else:
                pending, start = part, lineno
            if not pending.endswith("+"):
                yield start, pending
                pending = ""
    if pending:
        yield start, pending


def _terms(rhs: str, lineno: int, stmt: str) -> list:
    terms = [t.strip() for t in _split_outside(rhs, "+")]
    if any(t == "" for t in terms):
        raise ParameterError(f"model line {lineno}: empty term in {stmt!r} (stray '+'?)")
    out = []
    for t in terms:
        if "*" in t and not _QUOTED.match(t):
            raise ParameterError(
                f"model line {lineno}: fixed values/labels such as {t!r} are not supported")
        out.append(_name(t, lineno, "name"))
    return out


def parse_model(model: "str | ModelSpec") -> ModelSpec:
    """Parse a lavaan-style description (or a path to a text file holding one).

    Parameters
    ----------
    model : str or ModelSpec
        The description, or the path of a UTF-8 text file with it.

    Returns
    -------
    ModelSpec

    Raises
    ------
    ParameterError
        With the line number for syntax errors, and the construct name for
        structural problems (unknown construct in a path, construct without
        items, item in two blocks, cycles).
    """
    if isinstance(model, ModelSpec):
        return model
    if not isinstance(model, str) or not model.strip():
        raise ParameterError("model must be a non-empty lavaan-style description or a file path")
    text = _read_source(model)
    constructs: dict = {}
    modes: dict = {}
    def_lines: dict = {}
    paths: list = []
    path_lines: list = []
    for lineno, stmt in _split_statements(text):
        op, at = _operator(stmt)
        if op == "~~":
            raise ParameterError(f"model line {lineno}: covariances ('~~') are not supported: {stmt!r}")
        if op in ("=~", "<~"):
            lhs, rhs = stmt[:at], stmt[at + 2:]
            lhs = _name(lhs, lineno, "construct name")
            if lhs in constructs:
                raise ParameterError(f"model line {lineno}: construct {lhs!r} is defined twice")
            items = _terms(rhs, lineno, stmt)
            if len(set(items)) != len(items):
                raise ParameterError(f"model line {lineno}: construct {lhs!r} lists an item twice")
            constructs[lhs] = tuple(items)
            modes[lhs] = "B" if op == "<~" else "A"
            def_lines[lhs] = lineno
        elif op == "~":
            lhs, rhs = stmt[:at], stmt[at + 1:]
            lhs = _name(lhs, lineno, "construct name")
            for src in _terms(rhs, lineno, stmt):
                if src == lhs:
                    raise ParameterError(f"model line {lineno}: construct {lhs!r} cannot predict itself")
                if (src, lhs) not in paths:
                    paths.append((src, lhs))
                    path_lines.append(lineno)
        else:
            raise ParameterError(
                f"model line {lineno}: expected '=~', '<~' or '~' in {stmt!r}")
    if not constructs:
        raise ParameterError("model has no measurement statements ('Construct =~ item1 + item2' "
                             "or 'Construct <~ item1 + item2')")
    for (s, t), ln in zip(paths, path_lines):
        for c in (s, t):
            if c not in constructs:
                raise ParameterError(
                    f"model line {ln}: construct {c!r} is used in a path but has no '=~' definition")
    _check_higher_order(constructs, paths, def_lines)
    return make_spec(constructs, paths, modes, source=text)


def _check_higher_order(constructs, paths, def_lines):
    """Constructs measured by constructs: all terms constructs, second order only, LOCs without paths."""
    owner: dict = {}
    for c, its in constructs.items():
        inner = [t for t in its if t in constructs]
        if not inner:
            continue
        ln = def_lines.get(c, "?")
        if len(inner) != len(its):
            items = [t for t in its if t not in constructs]
            raise ParameterError(
                f"model line {ln}: construct {c!r} mixes constructs {inner} and items {items}; a "
                "higher-order construct is measured by lower-order constructs only")
        if len(inner) < 2:
            raise ParameterError(f"model line {ln}: higher-order construct {c!r} needs at least two "
                                 f"lower-order constructs, got {inner}")
        for lo in inner:
            if any(t in constructs for t in constructs[lo]):
                raise ParameterError(f"model line {ln}: {lo!r} is itself higher-order; only second-order "
                                     f"constructs are supported ({c!r} =~ {lo!r})")
            if lo in owner:
                raise ParameterError(f"model line {ln}: lower-order construct {lo!r} belongs to both "
                                     f"{owner[lo]!r} and {c!r}")
            owner[lo] = c
    for s, t in paths:
        for x in (s, t):
            if x in owner:
                raise ParameterError(
                    f"lower-order construct {x!r} of {owner[x]!r} is used in the path {s} -> {t}; "
                    f"structural paths go to or from the higher-order construct {owner[x]!r}")


def make_spec(constructs: dict, paths, modes: "dict | None" = None, source: str = "") -> ModelSpec:
    """Build a :class:`ModelSpec` from parts (topological order, unique items).

    Used for models that cannot be written as text, e.g. the expanded
    stages of a higher-order model whose repeated items carry an ``@``.
    """
    paths = [tuple(p) for p in paths]
    seen: dict = {}
    for c, its in constructs.items():
        for it in its:
            if it in constructs:
                continue
            if it in seen:
                raise ParameterError(f"item {it!r} is used by constructs {seen[it]!r} and {c!r}")
            seen[it] = c
    modes = {c: m for c, m in (modes or {}).items() if c in constructs}
    bad = {c: m for c, m in modes.items() if m not in MODES}
    if bad:
        raise ParameterError(f"unknown outer mode(s) {bad}; use 'A' (=~) or 'B' (<~)")
    order = _toposort(list(constructs), paths)
    ordered = {c: tuple(constructs[c]) for c in order}
    return ModelSpec(constructs=ordered, paths=tuple(paths), source=source,
                     modes={c: modes[c] for c in order if c in modes})


def _toposort(names, paths):
    indeg = {c: 0 for c in names}
    for _, t in paths:
        indeg[t] += 1
    out, ready = [], [c for c in names if indeg[c] == 0]
    while ready:
        c = ready.pop(0)
        out.append(c)
        for s, t in paths:
            if s == c:
                indeg[t] -= 1
                if indeg[t] == 0:
                    ready.append(t)
    if len(out) != len(names):
        cyc = sorted(c for c in names if c not in out)
        raise ParameterError(f"the structural model has a cycle among {cyc}; only recursive models are supported")
    # keep the description order where the topology allows it
    return out
