"""Words of the data-overview study in English and Simplified Chinese: captions and the
sentences written from the data (narrative sections are in ``narrative.yaml``)."""
from __future__ import annotations

from pathlib import Path

import pandas as pd

from crmlab.report.i18n import Catalog, current_lang

TEXTS = {
    "sizes": {"en": "Rows, columns and missing cells per dataset.",
              "zh": "各数据集的行数、列数与缺失单元格数。"},
    "profile": {"en": "Column profile of {dataset}.", "zh": "{dataset} 的字段概况。"},
    "distributions": {"en": "Distributions of the columns of {dataset} (identifier columns left out).",
                      "zh": "{dataset} 各字段的分布（不含标识符字段）。"},
}

TERMS = {"label": {"en": "label", "zh": "名称"}}

CATALOG = Catalog("data_overview", terms=TERMS, texts=TEXTS, narrative=Path(__file__).with_name("narrative.yaml"))


def missingness(frames: dict[str, pd.DataFrame]) -> str:
    """One paragraph, written from the data, on where values are missing.

    Example: "6 datasets, 151,642 rows in all. 11 cells are missing, all in
    telco_churn: total_charges (11 rows)."
    """
    zh = current_lang() == "zh"
    total_rows = sum(len(f) for f in frames.values())
    parts = []
    n_missing = 0
    for name, frame in frames.items():
        counts = frame.isna().sum()
        counts = counts[counts > 0]
        n_missing += int(counts.sum())
        if len(counts):
            unit = " 行" if zh else " rows"
            cols = ", ".join(f"{c} ({int(n):,}{unit})" for c, n in counts.items())
            parts.append(f"{name}: {cols}")
    if zh:
        head = f"共 {len(frames)} 个数据集，合计 {total_rows:,} 行。"
        if not parts:
            return head + "没有缺失值。"
        where = ("全部在 " + parts[0]) if len(parts) == 1 else "分布在 " + "；".join(parts)
        return f"{head}缺失 {n_missing:,} 个单元格，{where}。"
    head = f"{len(frames)} dataset{'s' if len(frames) != 1 else ''}, {total_rows:,} rows in all."
    if not parts:
        return head + " No cell is missing."
    where = "all in " + parts[0] if len(parts) == 1 else "in " + "; ".join(parts)
    return f"{head} {n_missing:,} cell{'s are' if n_missing != 1 else ' is'} missing, {where}."


def findings(frames: dict[str, pd.DataFrame]) -> list[tuple[str, str]]:
    """Key findings: how much data there is and where values are missing (with their sections)."""
    zh = current_lang() == "zh"
    rows = sum(len(f) for f in frames.values())
    big = max(frames, key=lambda n: len(frames[n]))
    out = [(f"共 {len(frames)} 个数据集、{rows:,} 行，均通过模式校验；最大的是 {big}（{len(frames[big]):,} 行）。" if zh else
            f"{len(frames)} datasets, {rows:,} rows in all, every one passed its schema; the largest is {big} "
            f"({len(frames[big]):,} rows).", "sizes")]
    missing = {n: f.isna().sum() for n, f in frames.items()}
    cells = sum(int(m.sum()) for m in missing.values())
    where = [f"{n}.{c}" for n, m in missing.items() for c, k in m.items() if k > 0]
    if cells:
        out.append((f"缺失 {cells:,} 个单元格，位于 {'、'.join(where[:5])}。" if zh else
                    f"{cells:,} cells are missing, in {', '.join(where[:5])}.", "summary"))
    else:
        out.append(("没有缺失值。" if zh else "No value is missing.", "summary"))
    return out


def dataset_heading(name: str, frame: pd.DataFrame) -> str:
    """Markdown heading of one dataset's section."""
    if current_lang() == "zh":
        return f"### {name}：{len(frame):,} 行 × {frame.shape[1]} 列"
    return f"### {name}: {len(frame):,} rows x {frame.shape[1]} columns"


def with_labels(profile: pd.DataFrame, name: str) -> pd.DataFrame:
    """The profile with each column's label from the dataset's codebook (in the report's language) beside its code."""
    from crmlab.core.codebook import find_codebook
    from crmlab.core.datasets import FILES

    codebook = find_codebook(None, FILES.get(name))
    if codebook is None:
        return profile
    out = profile.copy()
    out.insert(1, "label", [codebook.label(c, current_lang()) if c in codebook.columns else "" for c in out["column"]])
    return out
