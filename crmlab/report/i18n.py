"""Words of the reports in English and Simplified Chinese.

``t(key, lang)`` looks a term up; unknown languages fall back to English and an
unknown key is an error (so a typo cannot pass silently into a report). Terms
follow the field's usage in Chinese CRM research (顾客满意度, 顾客忠诚度,
客户细分, 客户终身价值, 流失, 净推荐值, ...).
"""
from __future__ import annotations

import pandas as pd

LANGS = ("en", "zh")

TERMS: dict[str, dict[str, str]] = {
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
    # field terms
    "satisfaction": {"en": "Customer satisfaction", "zh": "顾客满意度"},
    "loyalty": {"en": "Customer loyalty", "zh": "顾客忠诚度"},
    "segmentation": {"en": "Customer segmentation", "zh": "客户细分"},
    "clv": {"en": "Customer lifetime value", "zh": "客户终身价值"},
    "churn": {"en": "Churn", "zh": "流失"},
    "nps": {"en": "Net Promoter Score", "zh": "净推荐值"},
    "retention": {"en": "Customer retention", "zh": "客户保留"},
    # table headers of the data profile
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
}


def t(key: str, lang: str = "en") -> str:
    """The term ``key`` in ``lang`` (``en`` or ``zh``; anything else gives English)."""
    try:
        entry = TERMS[key]
    except KeyError:
        raise KeyError(f"no report term {key!r}; known: {sorted(TERMS)}") from None
    return entry.get(lang, entry["en"])


def check_lang(lang: str) -> str:
    """Validate a study's ``lang`` parameter."""
    from crmlab.core.errors import ParameterError

    if lang not in LANGS:
        raise ParameterError(f"parameter 'lang' must be one of {list(LANGS)}, got {lang!r}")
    return lang


def pick(lang: str, *, en: str, zh: str) -> str:
    """Choose between an English and a Chinese text (for labels that live in a study module)."""
    return zh if lang == "zh" else en


def translate_columns(df, lang: str = "en", extra: dict[str, dict[str, str]] | None = None):
    """A copy of ``df`` for display, with column and index names in ``lang``.

    ``extra`` adds study-specific terms (``{"r2": {"en": "R²", "zh": "决定系数 R²"}}``) to
    :data:`TERMS`. Names without a term are kept. Saved tables keep their stable English
    names; only what the reader sees is translated.
    """
    terms = {**TERMS, **(extra or {})}

    def name(x):
        return terms[x].get(lang, terms[x]["en"]) if isinstance(x, str) and x in terms else x

    out = df.rename(columns=name)
    out.index = out.index.set_names([name(n) for n in out.index.names])  # one name per level
    if isinstance(out.columns, pd.MultiIndex):
        out.columns = out.columns.set_names([name(n) for n in out.columns.names])
    return out
