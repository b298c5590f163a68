"""Words of the reports in English and Simplified Chinese.

One glossary (:data:`GLOSSARY`) for the terms every study shares, one
:class:`Catalog` per study for its own words (captions, narrative, sentence
templates and term overrides), and one language per notebook, set once with
:func:`use_lang` (a study's ``setup(lang)`` calls it). Everything else reads the
current language from here, so no function needs a ``lang`` argument.

Terms follow the field's usage in Chinese CRM research (顾客满意度, 顾客忠诚度,
客户细分, 客户终身价值, 流失, 净推荐值, ...), one Chinese term per concept.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from crmlab.core.errors import ParameterError

LANGS = ("en", "zh")

#: terms shared by every study: report frame, field terms and common table columns
GLOSSARY: dict[str, dict[str, str]] = {
    # report frame
    "run": {"en": "Run", "zh": "运行"},
    "date": {"en": "Date", "zh": "日期"},
    "commit": {"en": "Commit", "zh": "代码版本"},
    "uncommitted": {"en": "uncommitted changes", "zh": "含未提交的修改"},
    "data": {"en": "Data", "zh": "数据"},
    "parameters": {"en": "Parameters", "zh": "参数"},
    "status": {"en": "Status", "zh": "状态"},
    "ok": {"en": "ok", "zh": "成功"},
    "failed": {"en": "failed", "zh": "失败"},
    "contents": {"en": "Contents", "zh": "目录"},
    "show_code": {"en": "Show code", "zh": "显示代码"},
    "hide_code": {"en": "Hide code", "zh": "隐藏代码"},
    "details": {"en": "Run details", "zh": "运行详情"},
    "table": {"en": "Table", "zh": "表"},
    "figure": {"en": "Figure", "zh": "图"},
    "key_findings": {"en": "Key findings", "zh": "主要发现"},
    # field terms
    "satisfaction": {"en": "Customer satisfaction", "zh": "顾客满意度"},
    "loyalty": {"en": "Customer loyalty", "zh": "顾客忠诚度"},
    "segmentation": {"en": "Customer segmentation", "zh": "客户细分"},
    "clv": {"en": "Customer lifetime value", "zh": "客户终身价值"},
    "churn": {"en": "Churn", "zh": "流失"},
    "nps": {"en": "Net Promoter Score", "zh": "净推荐值"},
    "retention": {"en": "Customer retention", "zh": "客户保留"},
    # common table columns (one Chinese term per concept across studies)
    "column": {"en": "column", "zh": "列"},
    "dtype": {"en": "type", "zh": "类型"},
    "n": {"en": "n", "zh": "样本数"},
    "n_missing": {"en": "missing", "zh": "缺失数"},
    "pct_missing": {"en": "% missing", "zh": "缺失率 (%)"},
    "n_unique": {"en": "distinct", "zh": "不同取值数"},
    "min": {"en": "min", "zh": "最小值"},
    "mean": {"en": "mean", "zh": "均值"},
    "max": {"en": "max", "zh": "最大值"},
    "top": {"en": "most frequent", "zh": "最常见值"},
    "rows": {"en": "rows", "zh": "行数"},
    "columns": {"en": "columns", "zh": "列数"},
    "missing_cells": {"en": "missing cells", "zh": "缺失单元格"},
    "dataset": {"en": "dataset", "zh": "数据集"},
    "estimate": {"en": "estimate", "zh": "估计值"},
    "se": {"en": "se", "zh": "标准误"},
    "ci_low": {"en": "ci_low", "zh": "置信区间下限"},
    "ci_high": {"en": "ci_high", "zh": "置信区间上限"},
    "p": {"en": "p", "zh": "p 值"},
    "z": {"en": "z", "zh": "z 值"},
    "term": {"en": "term", "zh": "变量"},
    "level": {"en": "level", "zh": "取值"},
    "rank": {"en": "rank", "zh": "排名"},
    "model": {"en": "model", "zh": "模型"},
    "parameter": {"en": "parameter", "zh": "参数"},
    "std": {"en": "std", "zh": "标准差"},
    "count": {"en": "count", "zh": "计数"},
}

_state: dict[str, Any] = {"lang": "en", "catalog": None, "codebook": {}}


def check_lang(lang: str) -> str:
    """Validate a study's ``lang`` parameter (``en`` or ``zh``)."""
    if lang not in LANGS:
        raise ParameterError(f"parameter 'lang' must be one of {list(LANGS)}, got {lang!r}")
    return lang


class use_lang:
    """Set the report language (``en`` or ``zh``) for everything that follows.

    Called once per notebook (by a study's ``setup``). Also a context manager
    that restores the previous language on exit::

        with use_lang("zh"):
            text("itt_effects")
    """

    def __init__(self, lang: str):
        self.previous = _state["lang"]
        _state["lang"] = check_lang(lang)

    def __enter__(self) -> str:
        return _state["lang"]

    def __exit__(self, *exc) -> None:
        _state["lang"] = self.previous


def current_lang() -> str:
    """The language set by :func:`use_lang` (``en`` until then)."""
    return _state["lang"]


def pick(*, en: str, zh: str) -> str:
    """The English or the Chinese text, by the current language (for text modules, not notebooks)."""
    return zh if _state["lang"] == "zh" else en


@dataclass
class Catalog:
    """A study's words: term overrides, keyed texts (captions, sentence templates) and narrative.

    ``terms`` maps a column or value name to ``{"en": ..., "zh": ...}`` and overrides
    :data:`GLOSSARY` while the catalog is in use. ``texts`` maps a key to
    ``{"en": template, "zh": template}``; templates are :meth:`str.format` strings.
    ``narrative`` is a YAML file of the same shape holding the study's sections
    (headings and paragraphs in Markdown), shown by key with
    :func:`crmlab.report.section`.
    """

    name: str
    terms: dict[str, dict[str, str]] = field(default_factory=dict)
    texts: dict[str, dict[str, str]] = field(default_factory=dict)
    narrative: Path | None = None
    sections: dict[str, dict[str, str]] = field(default_factory=dict)

    def __post_init__(self):
        if self.narrative is not None:
            import yaml

            self.sections = {**self.sections,
                             **(yaml.safe_load(Path(self.narrative).read_text(encoding="utf-8")) or {})}
        for kind, entries in (("text", self.texts), ("section", self.sections), ("term", self.terms)):
            for key, entry in entries.items():
                missing = [x for x in LANGS if x not in (entry if kind != "term" else {**entry, "en": ""})]
                if missing:
                    raise ValueError(f"catalog {self.name!r}: {kind} {key!r} has no {missing}")

    @staticmethod
    def _get(entries, kind, name, key, values) -> str:
        try:
            entry = entries[key]
        except KeyError:
            raise KeyError(f"catalog {name!r} has no {kind} {key!r}") from None
        template = entry[current_lang()]
        return template.format(**values) if values else template

    def text(self, key: str, **values) -> str:
        """The text ``key`` in the current language, with ``values`` filled in."""
        return self._get(self.texts, "text", self.name, key, values)

    def section(self, key: str, **values) -> str:
        """The narrative section ``key`` in the current language, with ``values`` filled in."""
        return self._get(self.sections, "section", self.name, key, values)


def use_catalog(catalog: Catalog | None) -> None:
    """Make ``catalog`` the study whose words :func:`text` and :func:`term` use."""
    _state["catalog"] = catalog


def current_catalog() -> Catalog | None:
    return _state["catalog"]


def text(key: str, **values) -> str:
    """The current study's text ``key`` in the current language (see :meth:`Catalog.text`)."""
    catalog = _state["catalog"]
    if catalog is None:
        raise KeyError(f"no study catalog in use for text {key!r} (call the study's setup first)")
    return catalog.text(key, **values)


def section_text(key: str, **values) -> str:
    """The current study's narrative section ``key`` in the current language."""
    catalog = _state["catalog"]
    if catalog is None:
        raise KeyError(f"no study catalog in use for section {key!r} (call the study's setup first)")
    return catalog.section(key, **values)


def use_codebook(terms: dict[str, dict[str, str]] | None) -> None:
    """Labels from a dataset's codebook (:meth:`crmlab.core.codebook.Codebook.terms`): they name the data's
    columns, constructs and values in every table, chart and sentence (before the study's and the shared terms)."""
    _state["codebook"] = dict(terms or {})


def _entry(name) -> dict[str, str] | None:
    if not isinstance(name, str):
        return None
    if name in _state["codebook"]:
        return _state["codebook"][name]
    catalog = _state["catalog"]
    if catalog is not None and name in catalog.terms:
        return catalog.terms[name]
    return GLOSSARY.get(name)


def t(key: str) -> str:
    """The term ``key`` in the current language; an unknown key is an error (a typo cannot reach a report)."""
    entry = _entry(key)
    if entry is None:
        raise KeyError(f"no report term {key!r}; known: {sorted(GLOSSARY)}")
    return entry.get(current_lang()) or entry.get("en") or key


def term(name) -> str:
    """Display name of a column, value or label in the current language; unknown names are kept.

    English shows the name itself unless the study's catalog gives an English label.
    """
    entry = _entry(name)
    if entry is None:
        if isinstance(name, str) and name.endswith(" [CI]") and _entry(name[:-5]) is not None:
            return term(name[:-5]) + (" [置信区间]" if current_lang() == "zh" else " [CI]")
        return name if isinstance(name, str) else str(name)
    return entry.get(current_lang()) or entry.get("en") or name


def translate_columns(df: pd.DataFrame) -> pd.DataFrame:
    """A display copy of ``df`` with column and index names in the current language.

    Saved tables keep their stable English names; only what the reader sees is translated.
    """
    def name(x):
        return term(x) if isinstance(x, str) else x

    out = df.rename(columns=name)
    out.index = out.index.set_names([name(n) for n in out.index.names])  # one name per level
    if isinstance(out.columns, pd.MultiIndex):
        out.columns = out.columns.set_names([name(n) for n in out.columns.names])
    elif isinstance(out.columns.name, str):
        out.columns.name = name(out.columns.name)
    return out
