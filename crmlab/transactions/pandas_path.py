"""The pandas path of :func:`crmlab.transactions.summarize` (small frames; the reference for the SQL path).

Every rule here is the SQL path's rule written with pandas (same order, same integer micro-unit
arithmetic), so the two paths give identical summaries and reports.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from crmlab.core.errors import DataError
from crmlab.transactions.common import (EXCLUDE_STATUS, INTEGER_ID, _finish_report, _source_name, bad_rows_error,
                                        check_dates_in_range, header_lines, no_transactions_error, parse_days,
                                        parse_money, rows_phrase, status_excluded)

__all__ = ["summarize_pandas", "missing_columns_error"]


def missing_columns_error(source, named: dict, columns) -> DataError | None:
    """A DataError naming the parameters whose columns the log lacks (None when all are there)."""
    missing = {p: c for p, c in named.items() if c is not None and c not in columns}
    if not missing:
        return None
    said = "; ".join(f"column {c!r} (parameter {p})" for p, c in missing.items())
    cols = ", ".join(map(str, list(columns)[:40]))
    return DataError(f"{_source_name(source)} has no {said}; its columns: {cols}")


def _micro(amount: pd.Series) -> np.ndarray:
    """Amounts as whole micro-units, as the SQL path computes them: floor(amount * 1e6 + 0.5)."""
    return np.floor(amount.to_numpy(dtype=float) * 1000000 + 0.5).astype(np.int64)


def summarize_pandas(source, *, customer_col, date_col, amount_col, cal, hold, unit, date_format, returns,
                     duplicates, after_holdout, start, period_counts, order_col=None, status_col=None,
                     exclude_status=EXCLUDE_STATUS, attributes=(), opportunity_days=None):
    if isinstance(source, pd.DataFrame):
        df = source
    else:
        p = Path(source)
        df = pd.read_parquet(p) if p.suffix.lower() in (".parquet", ".pq") else pd.read_csv(p)
    named = {"customer_col": customer_col, "date_col": date_col, "amount_col": amount_col, "order_col": order_col,
             "status_col": status_col, **{f"covariates ({a})": a for a in attributes}}
    err = missing_columns_error(source, named, df.columns)
    if err is not None:
        raise err
    frame = df.reset_index(drop=True)
    hdr = header_lines(frame, {customer_col: customer_col, date_col: date_col, amount_col: amount_col})
    amount = parse_money(frame[amount_col])
    # a refund row is netted whatever its status says (退款成功 on a refund line is the refund itself)
    excl = (status_excluded(frame[status_col], exclude_status) & ~hdr & ~(amount < 0) if status_col
            else pd.Series(False, frame.index))
    report = {"rows_read": len(frame), "header_lines_dropped": int(hdr.sum()), "status_excluded": int(excl.sum())}
    used = ~hdr & ~excl
    cust = frame[customer_col]
    day = parse_days(frame[date_col], date_format)

    def fail(what, bad, col, hint=""):
        pos = np.flatnonzero(bad.to_numpy())
        ex = [] if col is None else frame.loc[pos[:5], col].tolist()
        raise bad_rows_error(what, source, len(pos), examples=ex, rows=rows_phrase(source, pos[:5]), hint=hint)

    for bad, what, col, hint in (
            (used & cust.isna(), f"a missing customer id in column '{customer_col}'", None,
             "Fill the ids or drop those rows (parameter customer_col names the id column)"),
            (used & day.isna(), f"an unparseable or missing date in column '{date_col}'", date_col,
             "Set date_format (e.g. '%Y%m%d', '%d/%m/%Y' or '%Y年%m月%d日')"),
            (used & (frame[order_col].isna() if order_col else False), f"a missing order id in column '{order_col}'",
             None, "Fill the order ids, or leave parameter order_col unset to net refunds by date"),
            (used & amount.isna(), f"an amount that is not a number in column '{amount_col}'", amount_col,
             "Amounts such as 1234.5, 1,234.50, ¥1,234.50 or $12.00 are read; fix these cells "
             "(parameter amount_col names the column)")):
        if bad.any():
            fail(what, bad, col, hint)
    if not used.any():
        raise no_transactions_error(source, report)
    late = used & (day > hold) if hold is not None else pd.Series(False, frame.index)
    if late.any() and after_holdout == "error":
        fail(f"a date after holdout_end ({hold.date()})", late, date_col)
    report["after_holdout_dropped"] = int(late.sum())
    live = used & ~late
    neg = live & (amount < 0)
    if neg.any() and returns == "error":
        fail(f"a negative amount (a refund) in column '{amount_col}'", neg, amount_col,
             "Use returns='net' to net refunds against their purchase or returns='drop' to drop them")
    report["returns_dropped"] = int(neg.sum()) if returns == "drop" else 0
    if not (live & (amount >= 0)).any():
        raise no_transactions_error(source, report)
    first_day, last_day = day[used].min(), day[used].max()
    check_dates_in_range(first_day, last_day, cal, hold, unit, source)
    report["zero_amount_rows"] = int((live & (amount == 0)).sum())
    keep = live & ((amount >= 0) | (returns == "net"))
    cols = {"customer_id": cust, "day": day, "amount": amount}
    if order_col:
        cols["order"] = frame[order_col]
    for a in attributes:
        cols[f"attr:{a}"] = frame[a]
    lines = pd.DataFrame({k: v[keep].to_numpy() for k, v in cols.items()})
    if hdr.any():  # whole-number ids were read as text only because of the header lines
        ids = frame.loc[used, customer_col].astype("string")
        if ids.str.fullmatch(INTEGER_ID).fillna(False).all():
            lines["customer_id"] = pd.to_numeric(lines["customer_id"].astype(str)).astype("int64")
    lines["amount"] = _micro(lines["amount"])
    key = ["customer_id", "day"] + (["order"] if order_col else [])
    P, R = lines[lines["amount"] >= 0], lines[lines["amount"] < 0]
    dup = P.duplicated(subset=key + ["amount"])
    report["duplicate_rows"] = int(dup.sum())
    if dup.any() and duplicates == "error":
        ex = P[dup].head(5)
        from crmlab.core.privacy import pseudonymize

        shown = [f"{c} on {d.date()}" for c, d in zip(pseudonymize(ex["customer_id"]), ex["day"])]
        raise bad_rows_error("an exact duplicate (same customer, date and amount)", source, int(dup.sum()),
                             examples=shown, hint="Use duplicates='keep' or 'drop'")
    report["duplicates_dropped"] = int(dup.sum()) if duplicates == "drop" else 0
    P_all = P
    if duplicates == "drop":
        P = P[~dup.to_numpy()]
    days, netted = _units_to_days(P, R, order_col is not None)
    report.update(netted)
    origin = start if start is not None else first_day
    out, counts, n_after = _summary(days, cal, hold, unit, origin, period_counts)
    report["customers_first_after_calibration"] = n_after
    if attributes:
        firsts = out["first_purchase"]
        on_first = P_all[P_all["day"].to_numpy() == firsts.reindex(P_all["customer_id"]).to_numpy()]
        varying = 0
        for a in attributes:
            out[a] = on_first.groupby("customer_id")[f"attr:{a}"].min().reindex(out.index)
            per = P_all[P_all["customer_id"].isin(out.index)].groupby("customer_id")[f"attr:{a}"].nunique()
            varying = max(varying, int((per > 1).sum()))
        report["attributes_varying"] = varying
    if opportunity_days:
        out = out.join(_opportunities(days, out["first_purchase"], cal, hold, float(opportunity_days)))
    _finish_report(report, out)
    report["first_day"], report["last_day"] = first_day, last_day
    return out, report, counts, origin


def _units_to_days(P: pd.DataFrame, R: pd.DataFrame, by_order: bool):
    """Purchase units (orders, or purchase days without order ids) net of their refunds, as purchase days.

    A refund carrying an order id nets against that order; without order ids it nets against the
    customer's latest purchase day on or before it. A unit whose refunds bring it to zero or below is
    not a purchase; a refund with nothing to net against is dropped. Both are counted."""
    counts = {"refund_rows_netted": 0, "refunds_unmatched": 0, "purchases_refunded": 0}
    if by_order:
        units = P.groupby(["customer_id", "order"], sort=False).agg(day=("day", "min"), amount=("amount", "sum"))
    else:
        units = P.groupby(["customer_id", "day"], sort=False)["amount"].sum().to_frame()
        units["day"] = units.index.get_level_values("day")
    if len(R):
        if by_order:
            grp = R.groupby(["customer_id", "order"], sort=False)["amount"].agg(["sum", "size"])
            hit = grp.index.isin(units.index)
            counts["refunds_unmatched"] = int(grp.loc[~hit, "size"].sum())
            ref = grp[hit]
        else:
            u = pd.DataFrame({"customer_id": units.index.get_level_values("customer_id"),
                              "day": units["day"].to_numpy(), "target": units["day"].to_numpy()}).sort_values("day")
            r = pd.merge_asof(R[["customer_id", "day", "amount"]].sort_values("day"), u, on="day", by="customer_id",
                              direction="backward")
            ok = r["target"].notna()
            counts["refunds_unmatched"] = int((~ok).sum())
            ref = r[ok].groupby(["customer_id", "target"])["amount"].agg(["sum", "size"])
            ref.index = ref.index.set_names(["customer_id", "day"])
        counts["refund_rows_netted"] = int(ref["size"].sum())
        add = ref["sum"].reindex(units.index)
        net = units["amount"].to_numpy() + add.fillna(0).to_numpy(dtype=np.int64)
        refunded = add.notna().to_numpy() & (net <= 0)
        counts["purchases_refunded"] = int(refunded.sum())
        units = units.assign(amount=net)[~refunded]
    flat = units.reset_index() if by_order else units.drop(columns="day").reset_index()
    days = flat.groupby(["customer_id", "day"], as_index=False, sort=True)["amount"].sum()
    return days, counts


def _summary(daily: pd.DataFrame, cal, hold, unit, origin, period_counts):
    """The per-customer summary of purchase days (amounts in micro-units)."""
    first = daily.groupby("customer_id")["day"].transform("min")
    daily = daily.assign(first=first)
    in_cal = daily["day"] <= cal
    rep = in_cal & (daily["day"] > first)
    age = (cal - first).dt.days
    since = (daily["day"] - first).dt.days
    late_half = 2 * since > age
    zero = np.int64(0)
    g = daily.assign(cal=in_cal, rep=rep, rep_amount=daily["amount"].where(rep, zero),
                     cal_amount=daily["amount"].where(in_cal, zero), early=rep & ~late_half, late=rep & late_half,
                     cal_day=daily["day"].where(in_cal),
                     hold=(daily["day"] > cal) if hold is None else (daily["day"] > cal) & (daily["day"] <= hold))
    g["hold_amount"] = g["amount"].where(g["hold"], zero)
    agg = g.groupby("customer_id", sort=True).agg(
        first_purchase=("first", "first"), last_purchase=("cal_day", "max"), n_cal=("cal", "sum"),
        n_rep=("rep", "sum"), rep_sum=("rep_amount", "sum"), spend=("cal_amount", "sum"),
        frequency_early=("early", "sum"), frequency_late=("late", "sum"), frequency_holdout=("hold", "sum"),
        spend_holdout=("hold_amount", "sum"))
    n_after = int((agg["first_purchase"] > cal).sum())
    agg = agg[agg["first_purchase"] <= cal]
    micro = 1000000.0
    out = pd.DataFrame(index=agg.index)
    out["frequency"] = (agg["n_cal"] - 1).astype("int64")
    out["recency"] = (agg["last_purchase"] - agg["first_purchase"]).dt.days.astype(float) / unit
    out["T"] = (cal - agg["first_purchase"]).dt.days.astype(float) / unit
    n_rep = agg["n_rep"].astype(float)
    out["monetary_value"] = (agg["rep_sum"].astype(float) / n_rep.where(n_rep > 0) / micro).fillna(0.0)
    out["spend"] = agg["spend"].astype(float) / micro
    out["first_purchase"] = agg["first_purchase"]
    out["last_purchase"] = agg["last_purchase"]
    for c in ("frequency_early", "frequency_late", "frequency_holdout"):
        out[c] = agg[c].astype("int64")
    out["spend_holdout"] = agg["spend_holdout"].astype(float) / micro
    out["duration_holdout"] = 0.0 if hold is None else (hold - cal).days / unit
    counts = pd.Series(dtype=float)
    if period_counts and len(out):
        cohort = daily[daily["customer_id"].isin(out.index) & (daily["day"] > daily["first"])]
        if hold is not None:
            cohort = cohort[cohort["day"] <= hold]
        per = np.floor((cohort["day"] - origin).dt.days.astype(float) / unit).astype(int)
        counts = per.value_counts().sort_index().astype(float)
        counts.index.name = "period"
    out.index.name = "customer_id"
    return out, counts, n_after


def _opportunities(days: pd.DataFrame, first: pd.Series, cal, hold, period: float) -> pd.DataFrame:
    """The discrete-time view of each customer (Fader, Hardie & Shang 2010): periods of ``period`` days counted
    from the first purchase day (period 0 holds it); ``bgbb_n`` whole periods 1..n observed by ``cal``,
    ``bgbb_x`` of them with a purchase, ``bgbb_tx`` the last such period (0: none); holdout: the whole
    periods after n observed by ``hold`` (``bgbb_n_holdout``) and those with a purchase (``bgbb_x_holdout``)."""
    fd = first.reindex(days["customer_id"]).to_numpy()
    d = days[pd.notna(fd)].assign(first=fd[pd.notna(fd)])
    k = np.floor((d["day"] - d["first"]).dt.days.to_numpy(dtype=float) / period).astype(np.int64)
    kk = pd.DataFrame({"customer_id": d["customer_id"].to_numpy(), "k": k}).drop_duplicates()

    def whole(end):
        return np.maximum(np.floor(((end - first).dt.days.to_numpy(dtype=float) + 1) / period).astype(np.int64) - 1,
                          0)

    n = pd.Series(whole(cal), index=first.index)
    nh = pd.Series(np.maximum(whole(hold), n.to_numpy()) if hold is not None else n.to_numpy(), index=first.index)
    kn = kk.assign(n=n.reindex(kk["customer_id"]).to_numpy(), nh=nh.reindex(kk["customer_id"]).to_numpy())
    in_cal = kn[(kn["k"] >= 1) & (kn["k"] <= kn["n"])]
    in_hold = kn[(kn["k"] > kn["n"]) & (kn["k"] <= kn["nh"])]
    out = pd.DataFrame(index=first.index)
    out["bgbb_x"] = in_cal.groupby("customer_id").size().reindex(first.index, fill_value=0).astype("int64")
    out["bgbb_tx"] = in_cal.groupby("customer_id")["k"].max().reindex(first.index, fill_value=0).astype("int64")
    out["bgbb_n"] = n.astype("int64")
    out["bgbb_x_holdout"] = in_hold.groupby("customer_id").size().reindex(first.index, fill_value=0).astype("int64")
    out["bgbb_n_holdout"] = (nh - n).astype("int64")
    return out
