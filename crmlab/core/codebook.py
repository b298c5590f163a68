"""A codebook: what each column of a data file is called, how it is measured, and what its values mean.

Reports show names, not codes: a codebook maps ``q2`` to "Setting competitive prices" /
"价格具有竞争力", gives each answer scale (min, max, reverse-keyed) and the unit of money and time
columns, names constructs (``IMAG`` -> "Image" / "企业形象") and translates data values
(``Month-to-month`` -> "按月合同"). Every study takes an optional ``codebook`` parameter; with none,
a ``codebook.yaml`` next to the data file is used when there is one (the bundled datasets ship
theirs), and otherwise the column names are shown as they are.

YAML form (every key optional)::

    columns:
      q1: {en: Overall satisfaction, zh: 总体满意度, min: 1, max: 10}
      q5: {en: Effectiveness of purchase, zh: 购买效果, min: 1, max: 10, reverse: true}
      amount: {en: Order amount, zh: 订单金额, unit: money}
    constructs:
      SAT: {en: Satisfaction, zh: 顾客满意度}
    values:
      Month-to-month: {zh: 按月合同}
    currency: USD

CSV form: one row per column with the headers ``column, en, zh, min, max, reverse, unit``
(``label_en``/``label_zh`` are accepted too).
"""
from __future__ import annotations

import math
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from crmlab.core.errors import DataError

CODEBOOK_FILE = "codebook.yaml"


@dataclass(frozen=True)
class Column:
    """One column's entry: labels, answer scale, reverse keying and unit (``money``, ``days``...)."""

    name: str
    en: str | None = None
    zh: str | None = None
    min: float | None = None
    max: float | None = None
    reverse: bool = False
    unit: str | None = None

    @property
    def scale(self) -> tuple[float, float] | None:
        return (self.min, self.max) if self.min is not None and self.max is not None else None


@dataclass
class Codebook:
    """Labels and scales of a dataset's columns, constructs and values (see the module docstring)."""

    columns: dict[str, Column] = field(default_factory=dict)
    constructs: dict[str, dict[str, str]] = field(default_factory=dict)
    values: dict[str, dict[str, str]] = field(default_factory=dict)
    currency: str | None = None
    source: str | None = None

    def terms(self) -> dict[str, dict[str, str]]:
        """Display names for the report's glossary: columns, constructs and values, in both languages."""
        out: dict[str, dict[str, str]] = {}
        for name, entry in self.values.items():
            out[name] = {k: v for k, v in entry.items() if k in ("en", "zh") and v}
        for name, entry in self.constructs.items():
            out[name] = {k: v for k, v in entry.items() if k in ("en", "zh") and v}
        for name, c in self.columns.items():
            labels = {k: v for k, v in (("en", c.en), ("zh", c.zh)) if v}
            if labels:
                out[name] = labels
        return out

    def scales(self) -> dict[str, tuple[float, float]]:
        """``{column: (min, max)}`` for the columns whose answer scale is given."""
        return {n: c.scale for n, c in self.columns.items() if c.scale is not None}

    def reversed(self) -> list[str]:
        return [n for n, c in self.columns.items() if c.reverse]

    def label(self, name: str, lang: str = "en") -> str:
        """The label of a column or construct in ``lang`` (English when no Chinese; the name itself when none)."""
        entry = self.terms().get(name, {})
        return entry.get(lang) or entry.get("en") or name


def _number(value, where: str) -> float | None:
    if value is None or (isinstance(value, float) and math.isnan(value)) or value == "":
        return None
    try:
        return float(value)
    except (TypeError, ValueError):
        raise DataError(f"{where}: {value!r} is not a number") from None


def _flag(value) -> bool:
    return str(value).strip().lower() in ("1", "true", "yes", "y", "是", "x") if value is not None else False


def _column(name: str, entry: dict[str, Any], where: str) -> Column:
    en = entry.get("en", entry.get("label_en", entry.get("label")))
    zh = entry.get("zh", entry.get("label_zh"))
    lo, hi = _number(entry.get("min"), f"{where}, column {name!r}, min"), _number(
        entry.get("max"), f"{where}, column {name!r}, max")
    if lo is not None and hi is not None and lo >= hi:
        raise DataError(f"{where}: column {name!r} has min {lo:g} >= max {hi:g}")
    unit = entry.get("unit")
    return Column(str(name), str(en) if en not in (None, "") else None, str(zh) if zh not in (None, "") else None,
                  lo, hi, _flag(entry.get("reverse")), str(unit) if unit not in (None, "") else None)


def load_codebook(path: str | os.PathLike) -> Codebook:
    """Read a codebook (YAML or CSV; see the module docstring).

    Raises
    ------
    DataError
        A file that cannot be read, or an entry that makes no sense (a non-numeric min, min >= max),
        naming the file and the column.
    """
    from crmlab.core.datasets import read_table, resolve_path

    p = resolve_path(path)
    where = str(p)
    if p.suffix.lower() in (".yaml", ".yml"):
        import yaml

        try:
            spec = yaml.safe_load(p.read_text(encoding="utf-8")) or {}
        except yaml.YAMLError as exc:
            raise DataError(f"{where}: not valid YAML ({exc})") from None
        if not isinstance(spec, dict):
            raise DataError(f"{where}: expected a mapping with 'columns', 'constructs', 'values'")
        columns = {str(n): _column(str(n), e or {}, where) for n, e in (spec.get("columns") or {}).items()}
        def labels(section):
            return {str(n): {k: str(v) for k, v in (e or {}).items()} for n, e in (spec.get(section) or {}).items()}

        constructs, values = labels("constructs"), labels("values")
        return Codebook(columns, constructs, values, spec.get("currency"), where)
    table = read_table(p, dtype=str, keep_default_na=False)
    table.columns = [str(c).strip().lower() for c in table.columns]
    if "column" not in table.columns:
        raise DataError(f"{where}: a codebook table needs a 'column' column; it has {list(table.columns)}")
    columns = {}
    for i, row in enumerate(table.to_dict("records"), start=2):
        name = row["column"].strip()
        if name:
            columns[name] = _column(name, row, f"{where}, row {i}")
    return Codebook(columns, source=where)


def find_codebook(codebook: str | os.PathLike | None, data: str | os.PathLike | None) -> Codebook | None:
    """The codebook a study uses: the one given, else ``codebook.yaml`` beside the data file, else None."""
    if codebook:
        return load_codebook(codebook)
    if data:
        from crmlab.core.datasets import resolve_path

        try:
            beside = resolve_path(data).parent / CODEBOOK_FILE
        except DataError:
            return None
        if beside.is_file():
            return load_codebook(beside)
    return None


def is_bundled(path: str | os.PathLike | None) -> bool:
    """True when ``path`` is one of the datasets shipped in ``data/`` (a study then describes it by name)."""
    if not path:
        return False
    from crmlab.core.datasets import resolve_path
    from crmlab.core.paths import data_dir

    try:
        return Path(data_dir()).resolve() in resolve_path(path).parents
    except DataError:
        return False
