"""The pandas path of :func:`crmlab.transactions.summarize` (small frames; the reference for the SQL path)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from crmlab.core.errors import DataError
from crmlab.transactions.common import _finish_report, _source_name, bad_rows_error

__all__ = ["summarize_pandas"]


def summarize_pandas(source, *, customer_col, date_col, amount_col, cal, hold, unit, date_format, returns,
                      duplicates, after_holdout, start, period_counts):
    if isinstance(source, pd.DataFrame):
        df = source
    else:
        p = Path(source)
        df = pd.read_parquet(p) if p.suffix.lower() in (".parquet", ".pq") else pd.read_csv(p)
    missing = [c for c in (customer_col, date_col, amount_col) if c not in df.columns]
    if missing:
        raise DataError(f"{_source_name(source)} has no column(s) {missing}; columns are {list(df.columns)}")
    raw = df[[customer_col, date_col, amount_col]].copy()
    raw.columns = ["customer_id", "date_raw", "amount_raw"]
    if pd.api.types.is_datetime64_any_dtype(raw["date_raw"]):
        day = raw["date_raw"].dt.tz_localize(None) if getattr(raw["date_raw"].dt, "tz", None) else raw["date_raw"]
    elif date_format:
        day = pd.to_datetime(raw["date_raw"].astype("string"), format=date_format, errors="coerce")
    else:
        text = raw["date_raw"].astype("string")
        iso = text.str.match(r"^\s*\d{4}-\d{1,2}-\d{1,2}").fillna(False).astype(bool)  # what DuckDB casts
        day = pd.to_datetime(text.where(iso), errors="coerce", format="ISO8601")
    day = day.dt.normalize()
    amount = pd.to_numeric(raw["amount_raw"], errors="coerce")
    report = {"rows_read": len(raw)}
    bad = raw["customer_id"].isna()
    if bad.any():
        raise bad_rows_error(f"a missing customer id (column '{customer_col}')", source,
                             df.loc[bad[bad].index], int(bad.sum()))
    bad = day.isna()
    if bad.any():
        raise bad_rows_error(f"an unparseable or missing date in column '{date_col}'", source,
                             df.loc[bad[bad].index], int(bad.sum()),
                             "Set date_format (e.g. '%Y%m%d' or '%d/%m/%Y')")
    bad = amount.isna()
    if bad.any():
        raise bad_rows_error(f"a non-numeric or missing amount in column '{amount_col}'", source,
                             df.loc[bad[bad].index], int(bad.sum()))
    t = pd.DataFrame({"customer_id": raw["customer_id"].to_numpy(), "day": day.to_numpy(), "amount": amount.to_numpy()})
    neg = t["amount"] < 0
    report["returns_dropped"] = int(neg.sum()) if returns == "drop" else 0
    if neg.any() and returns == "error":
        raise bad_rows_error(f"a negative amount (returns) in column '{amount_col}'", source,
                             df.loc[neg[neg].index], int(neg.sum()), "Use returns='drop' to drop them")
    report["zero_amount_rows"] = int((t["amount"] == 0).sum())
    late = pd.Series(False, index=t.index) if hold is None else t["day"] > hold
    if late.any() and after_holdout == "error":
        raise bad_rows_error(f"a date after holdout_end ({hold.date()})", source, df.loc[late[late].index],
                             int(late.sum()))
    report["after_holdout_dropped"] = int(late.sum())
    origin = start if start is not None else t["day"].min()
    t = t[(~neg & ~late).to_numpy()]
    dup = t.duplicated()  # among the purchase rows used
    report["duplicate_rows"] = int(dup.sum())
    if dup.any() and duplicates == "error":
        ex = t[t.duplicated(keep=False)].groupby(["customer_id", "day", "amount"]).size().rename("copies")
        raise bad_rows_error("an exact duplicate (same customer, date and amount)", source,
                             ex.reset_index().rename(columns={"customer_id": customer_col, "day": date_col,
                                                              "amount": amount_col}),
                             int(dup.sum()), "Use duplicates='keep' or 'drop'")
    report["duplicates_dropped"] = int(dup.sum()) if duplicates == "drop" else 0
    if duplicates == "drop":
        t = t[~dup.to_numpy()]
    daily = t.groupby(["customer_id", "day"], as_index=False, sort=True)["amount"].sum()
    first = daily.groupby("customer_id")["day"].transform("min")
    daily["first"] = first
    in_cal = daily["day"] <= cal
    rep = in_cal & (daily["day"] > first)
    age = (cal - first).dt.days
    since = (daily["day"] - first).dt.days
    late_half = 2 * since > age
    g = daily.assign(cal=in_cal, rep=rep, rep_amount=daily["amount"].where(rep),
                     cal_amount=daily["amount"].where(in_cal),
                     early=rep & ~late_half, late=rep & late_half, cal_day=daily["day"].where(in_cal),
                     hold=(daily["day"] > cal) if hold is None else (daily["day"] > cal) & (daily["day"] <= hold))
    g["hold_amount"] = g["amount"].where(g["hold"], 0.0)
    agg = g.groupby("customer_id", sort=True).agg(
        first_purchase=("first", "first"), last_purchase=("cal_day", "max"), n_cal=("cal", "sum"),
        monetary_value=("rep_amount", "mean"), spend=("cal_amount", "sum"), frequency_early=("early", "sum"),
        frequency_late=("late", "sum"), frequency_holdout=("hold", "sum"), spend_holdout=("hold_amount", "sum"))
    report["customers_first_after_calibration"] = int((agg["first_purchase"] > cal).sum())
    agg = agg[agg["first_purchase"] <= cal]
    out = pd.DataFrame(index=agg.index)
    out["frequency"] = (agg["n_cal"] - 1).astype("int64")
    out["recency"] = (agg["last_purchase"] - agg["first_purchase"]).dt.days / unit
    out["T"] = (cal - agg["first_purchase"]).dt.days / unit
    out["monetary_value"] = agg["monetary_value"].fillna(0.0)
    out["spend"] = agg["spend"].astype(float)
    out["first_purchase"] = agg["first_purchase"]
    out["last_purchase"] = agg["last_purchase"]
    for c in ("frequency_early", "frequency_late", "frequency_holdout"):
        out[c] = agg[c].astype("int64")
    out["spend_holdout"] = agg["spend_holdout"].astype(float)
    out["duration_holdout"] = 0.0 if hold is None else (hold - cal).days / unit
    _finish_report(report, out)
    counts = pd.Series(dtype=float)
    if period_counts:
        cohort = daily[daily["customer_id"].isin(out.index) & (daily["day"] > daily["first"])]
        if hold is not None:
            cohort = cohort[cohort["day"] <= hold]
        per = np.floor((cohort["day"] - origin).dt.days / unit).astype(int)
        counts = per.value_counts().sort_index().astype(float)
        counts.index.name = "period"
    return out, report, counts, origin


