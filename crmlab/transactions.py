"""Transaction log -> customer summary (frequency, recency, T, monetary value).

The default engine is one DuckDB SQL query run directly over a CSV or
Parquet file (or a registered DataFrame), so logs larger than memory work;
``engine="pandas"`` does the same in pandas for small frames.  Both follow
the buy-till-you-die conventions of Fader, Hardie & Lee (2005):

* all rows of a customer on the same calendar day are one transaction
  (their amounts are summed);
* ``frequency`` ``x`` = transaction days in the calibration period minus one
  (repeat purchases); ``recency`` ``t_x`` = time from the first to the last
  transaction day; ``T`` = time from the first transaction day to
  ``calibration_end`` (inclusive end date); times in ``time_unit`` (days/7 for weeks);
* ``monetary_value`` = mean value of the repeat transaction days (the
  first purchase is excluded, as the Gamma-Gamma model requires); 0 when x = 0;
* holdout columns count transaction days in ``(calibration_end, holdout_end]``.

Data rules (each counted in ``CustomerSummary.report``):

* unparseable or missing dates / amounts / customer ids -> ``DataError`` with example rows;
* ``returns``: rows with a negative amount are returns, not purchases.
  ``"drop"`` (default) removes them (no netting against purchases);
  ``"error"`` raises.  Zero amounts are kept as transactions (a purchase
  happened; CDNOW has 8 such rows and FHL 2005 count them);
* ``duplicates``: rows identical in customer, date and amount.
  ``"keep"`` (default; a log without transaction ids cannot tell a double
  entry from two equal items, and FHL's CDNOW figures keep them), ``"drop"``, ``"error"``;
* transactions after ``holdout_end`` are dropped and counted (or ``"error"``);
* customers whose first purchase falls after ``calibration_end`` are not in
  the calibration cohort and are counted, not summarised.
"""

from __future__ import annotations

import codecs
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from crmlab.core.errors import DataError, ParameterError

__all__ = ["CustomerSummary", "summarize", "open_source", "TIME_UNITS"]

#: time unit name -> days
TIME_UNITS = {"days": 1.0, "D": 1.0, "day": 1.0, "weeks": 7.0, "W": 7.0, "week": 7.0,
              "months": 365.25 / 12, "M": 365.25 / 12, "month": 365.25 / 12}

_COLUMNS = ["frequency", "recency", "T", "monetary_value", "spend", "first_purchase", "last_purchase",
            "frequency_early", "frequency_late", "frequency_holdout", "spend_holdout", "duration_holdout"]


@dataclass
class CustomerSummary:
    """Result of :func:`summarize`.

    Attributes
    ----------
    table : DataFrame
        One row per customer (index ``customer_id``) with columns
        ``frequency, recency, T, monetary_value, spend, first_purchase,
        last_purchase, frequency_early, frequency_late, frequency_holdout,
        spend_holdout, duration_holdout``.  ``frequency_early/late`` split
        the repeat purchases at the midpoint of the customer's calibration age.
    report : dict
        What was done to the log: rows read, rows dropped by rule, customers
        outside the cohort, transactions (days) in calibration and holdout.
    period_counts : Series
        Repeat transaction days per period (index 0, 1, ... from ``start``), for tracking plots.
    """

    table: pd.DataFrame
    report: dict
    calibration_end: pd.Timestamp
    holdout_end: pd.Timestamp | None
    time_unit_days: float
    start: pd.Timestamp | None = None
    period_counts: pd.Series = field(default_factory=lambda: pd.Series(dtype=float))

    def births(self) -> np.ndarray:
        """First purchase times in time units from ``start`` (for :func:`crmlab.clv.tracking`)."""
        return ((self.table["first_purchase"] - self.start).dt.days / self.time_unit_days).to_numpy()

    def notes(self, lang: str = "en") -> list[str]:
        """Plain-language sentences on what the data rules did to the log (for the report).

        ``lang="zh"`` gives them in Simplified Chinese (same numbers).
        """
        rep, out = self.report, []
        zh = lang == "zh"
        if rep.get("returns_dropped"):
            n = rep["returns_dropped"]
            out.append(f"删除了 {n:,} 行退货记录（金额为负，未与购买相抵）" if zh else
                       f"dropped {n:,} return rows (negative amounts; not netted against purchases)")
        if rep.get("duplicate_rows"):
            n, dropped = rep["duplicate_rows"], rep.get("duplicates_dropped")
            if zh:
                out.append(f"发现 {n:,} 行完全重复的记录，" + (
                    "已删除" if dropped else "予以保留（没有交易编号的记录无法区分重复录入与两件相同的商品）"))
            else:
                out.append(f"found {n:,} exact duplicate rows and " + (
                    "dropped them" if dropped else
                    "kept them (a log without transaction ids cannot tell a double entry from two equal items)"))
        if rep.get("after_holdout_dropped"):
            n = rep["after_holdout_dropped"]
            out.append(f"删除了 {n:,} 行日期晚于验证期结束日的记录" if zh else
                       f"dropped {n:,} rows dated after the holdout end")
        if rep.get("customers_first_after_calibration"):
            n = rep["customers_first_after_calibration"]
            out.append(f"排除了 {n:,} 位首次购买晚于校准期结束日的客户" if zh else
                       f"left out {n:,} customers whose first purchase is after the calibration end")
        if rep.get("zero_amount_rows"):
            n = rep["zero_amount_rows"]
            out.append(f"保留了 {n:,} 行零金额记录，计为交易" if zh else
                       f"kept {n:,} zero-amount rows as transactions")
        return out

    def report_frame(self) -> pd.DataFrame:
        """The report as a two-column table (item, value)."""
        return pd.DataFrame({"item": list(self.report), "value": list(self.report.values())})

    def _repr_html_(self) -> str:  # pragma: no cover - display only
        return self.report_frame().to_html(index=False)


def _unit_days(time_unit) -> float:
    if isinstance(time_unit, (int, float)) and time_unit > 0:
        return float(time_unit)
    if time_unit not in TIME_UNITS:
        raise ParameterError(f"time_unit must be one of {sorted(set(TIME_UNITS))} or a number of days; got {time_unit!r}")
    return TIME_UNITS[time_unit]


def open_source(path):
    """Return something :func:`summarize` can read: a Path for CSV/Parquet, a DataFrame otherwise.

    CSV and Parquet files are left to DuckDB (streamed, larger than memory).
    The whitespace-separated CDNOW files use the project loaders; other
    ``.txt`` files are read with pandas (whitespace separated, with header).
    """
    from crmlab.core import datasets
    from crmlab.core.results import note_input

    p = datasets.resolve_path(path)
    suffix = p.suffix.lower()
    if suffix in (".csv", ".tsv"):
        head = p.open("rb").read(1 << 16)
        try:
            codecs.getincrementaldecoder("utf-8")().decode(head, final=False)
        except UnicodeDecodeError:  # e.g. GBK: DuckDB reads UTF-8 only, the project reader sniffs encodings
            return datasets.read_table(p)
    if suffix in (".csv", ".tsv", ".parquet", ".pq", ".gz"):
        note_input(p)  # the runner hashes inputs into the manifest
        return p
    name = p.name.lower()
    if name == "cdnow_sample.txt":
        return datasets.load_cdnow_sample(p)
    if name == "cdnow_master.txt":
        return datasets.load_cdnow_master(p)
    note_input(p)
    try:
        return pd.read_csv(p, sep=r"\s+")
    except Exception as exc:  # pragma: no cover - depends on the file
        raise DataError(f"cannot read transaction log {p}: {exc}") from exc


def summarize(source, *, customer_col: str = "customer_id", date_col: str = "date",
              amount_col: str = "amount", calibration_end, holdout_end=None,
              time_unit="weeks", date_format: str | None = None, returns: str = "drop",
              duplicates: str = "keep", after_holdout: str = "drop", start=None,
              engine: str = "duckdb", period_counts: bool = True,
              memory_limit: str | None = None) -> CustomerSummary:
    """Summarise a transaction log per customer for a calibration period and a holdout.

    Parameters
    ----------
    source : str, Path or DataFrame
        CSV or Parquet file (read by DuckDB without loading it into pandas)
        or a DataFrame.
    customer_col, date_col, amount_col : str
        Column names in the log.
    calibration_end, holdout_end : date-like
        Inclusive end dates; ``holdout_end=None`` means no holdout.
    time_unit : {"weeks", "days", "months"} or float
        Unit of ``recency``, ``T`` and ``duration_holdout`` (float = days).
    date_format : str, optional
        strftime format of the date column (e.g. ``"%Y%m%d"``); ISO dates need none.
    returns, duplicates, after_holdout : str
        Rules for negative amounts, duplicate rows and transactions after
        the holdout (see the module docstring).
    start : date-like, optional
        Origin of the period grid of ``period_counts`` (default: first date in the log).
    engine : {"duckdb", "pandas"}

    Returns
    -------
    CustomerSummary

    Notes
    -----
    See the module docstring for the definitions (Fader, Hardie & Lee 2005,
    "Counting your customers the easy way", Marketing Science 24(2)).
    """
    unit = _unit_days(time_unit)
    cal = _timestamp(calibration_end, "calibration_end")
    hold = None if holdout_end is None else _timestamp(holdout_end, "holdout_end")
    if hold is not None and hold <= cal:
        raise ParameterError(f"holdout_end ({hold.date()}) must be after calibration_end ({cal.date()})")
    for name, val, ok in (("returns", returns, ("drop", "error")), ("duplicates", duplicates, ("keep", "drop", "error")),
                          ("after_holdout", after_holdout, ("drop", "error")), ("engine", engine, ("duckdb", "pandas"))):
        if val not in ok:
            raise ParameterError(f"{name} must be one of {ok}; got {val!r}")
    kwargs = dict(customer_col=customer_col, date_col=date_col, amount_col=amount_col, cal=cal, hold=hold,
                  unit=unit, date_format=date_format, returns=returns, duplicates=duplicates,
                  after_holdout=after_holdout, start=None if start is None else _timestamp(start, "start"),
                  period_counts=period_counts)
    if not isinstance(source, pd.DataFrame) and Path(source).exists():
        from crmlab.core.results import note_input

        note_input(source)
    if engine == "duckdb":
        table, report, counts, origin = _summarize_duckdb(source, memory_limit=memory_limit, **kwargs)
    else:
        table, report, counts, origin = _summarize_pandas(source, **kwargs)
    if len(table) == 0:
        raise DataError(f"no customer made a first purchase on or before calibration_end ({cal.date()}); "
                        "check calibration_end and the date column")
    table.index.name = "customer_id"
    return CustomerSummary(table=table, report=report, calibration_end=cal, holdout_end=hold,
                           time_unit_days=unit, start=origin, period_counts=counts)


def _timestamp(value, name) -> pd.Timestamp:
    try:
        ts = pd.Timestamp(value)
    except (ValueError, TypeError) as exc:
        raise ParameterError(f"{name} must be a date such as '1997-09-30'; got {value!r}") from exc
    if pd.isna(ts):
        raise ParameterError(f"{name} must be a date such as '1997-09-30'; got {value!r}")
    return ts.normalize()


def _source_name(source) -> str:
    return "the DataFrame" if isinstance(source, pd.DataFrame) else f"file {source}"


def bad_rows_error(what: str, source, examples: pd.DataFrame, n: int, hint: str = "") -> DataError:
    rows = examples.head(5).to_dict("records")
    return DataError(f"{n} row(s) of {_source_name(source)} have {what}; e.g. {rows}" + (f". {hint}" if hint else ""))


def _summarize_pandas(source, *, customer_col, date_col, amount_col, cal, hold, unit, date_format, returns,
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
    report = {"rows_read": int(len(raw))}
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
    g = daily.assign(cal=in_cal, rep=rep, rep_amount=daily["amount"].where(rep), cal_amount=daily["amount"].where(in_cal),
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


def _finish_report(report, out):
    report["customers"] = int(len(out))
    report["repeaters"] = int((out["frequency"] > 0).sum())
    report["transactions_calibration"] = int((out["frequency"] + 1).sum())
    report["repeat_transactions_calibration"] = int(out["frequency"].sum())
    report["transactions_holdout"] = int(out["frequency_holdout"].sum())


# one row per customer and purchase day (same-day purchases collapsed), then each customer's first day;
# a hash join is much cheaper here than a window function (which would sort 10M rows).
# Amounts are summed as DECIMAL(18, 6) (exact, so parallel aggregation gives byte-identical results run
# to run; amounts are kept to 1e-6 and must stay below 1e12 per row).
_DAILY_SQL = """
CREATE TEMP TABLE daily AS
SELECT customer_id, day, SUM(CAST(amount AS DECIMAL(18, 6))) AS amount, COUNT(*) AS n_rows
FROM parsed
WHERE amount >= 0 {hold_filter}
GROUP BY customer_id, day
"""

_FIRSTS_SQL = """
CREATE TEMP TABLE firsts AS SELECT customer_id, MIN(day) AS first_day FROM daily GROUP BY customer_id
"""

# exact duplicates can only sit in (customer, day) groups with several rows: look only there
_DUPS_SQL = """
CREATE TEMP TABLE dupfix AS
SELECT p.customer_id, p.day, COUNT(*) - COUNT(DISTINCT p.amount) AS dups, SUM(DISTINCT CAST(p.amount AS DECIMAL(18, 6))) AS amount_distinct
FROM parsed p JOIN (SELECT customer_id, day FROM daily WHERE n_rows > 1) m
     ON p.customer_id = m.customer_id AND p.day = m.day
WHERE p.amount >= 0 {hold_filter}
GROUP BY p.customer_id, p.day
HAVING COUNT(*) > COUNT(DISTINCT p.amount)
"""

_SUMMARY_SQL = """
SELECT customer_id,
       CAST(COUNT(*) FILTER (WHERE day <= {cal}) - 1 AS BIGINT) AS frequency,
       date_diff('day', first_day, MAX(day) FILTER (WHERE day <= {cal})) / {unit} AS recency,
       date_diff('day', first_day, {cal}) / {unit} AS "T",
       CAST(COALESCE(AVG(amount) FILTER (WHERE day > first_day AND day <= {cal}), 0) AS DOUBLE) AS monetary_value,
       CAST(COALESCE(SUM(amount) FILTER (WHERE day <= {cal}), 0) AS DOUBLE) AS spend,
       date_diff('day', DATE '1970-01-01', first_day) AS first_purchase,
       date_diff('day', DATE '1970-01-01', MAX(day) FILTER (WHERE day <= {cal})) AS last_purchase,
       CAST(COUNT(*) FILTER (WHERE day > first_day AND day <= {cal}
             AND 2 * date_diff('day', first_day, day) <= date_diff('day', first_day, {cal})) AS BIGINT) AS frequency_early,
       CAST(COUNT(*) FILTER (WHERE day > first_day AND day <= {cal}
             AND 2 * date_diff('day', first_day, day) > date_diff('day', first_day, {cal})) AS BIGINT) AS frequency_late,
       CAST(COUNT(*) FILTER (WHERE day > {cal}) AS BIGINT) AS frequency_holdout,
       CAST(COALESCE(SUM(amount) FILTER (WHERE day > {cal}), 0) AS DOUBLE) AS spend_holdout
FROM daily JOIN firsts USING (customer_id)
WHERE first_day <= {cal}
GROUP BY customer_id, first_day
ORDER BY customer_id
"""

# repeat purchase days per period = all purchase days - first purchase days (of the calibration cohort)
_PERIOD_SQL = """
WITH cohort AS (SELECT customer_id FROM firsts WHERE first_day <= {cal}),
alld AS (SELECT CAST(floor(date_diff('day', DATE '{origin}', day) / {unit}) AS BIGINT) AS period, COUNT(*) AS n
         FROM daily SEMI JOIN cohort USING (customer_id) GROUP BY period),
firstd AS (SELECT CAST(floor(date_diff('day', DATE '{origin}', first_day) / {unit}) AS BIGINT) AS period,
                  COUNT(*) AS n FROM firsts WHERE first_day <= {cal} GROUP BY period)
SELECT alld.period, alld.n - COALESCE(firstd.n, 0) AS n FROM alld LEFT JOIN firstd USING (period)
WHERE alld.n - COALESCE(firstd.n, 0) > 0 ORDER BY alld.period
"""


def _sql_date(ts: pd.Timestamp) -> str:
    return f"DATE '{ts.date().isoformat()}'"


def _summarize_duckdb(source, *, customer_col, date_col, amount_col, cal, hold, unit, date_format, returns,
                      duplicates, after_holdout, start, period_counts, memory_limit=None):
    import duckdb

    con = duckdb.connect(config={"temp_directory": tempfile.gettempdir()})
    try:
        try:  # quiet in scripts; in Jupyter DuckDB refuses the setting without ipywidgets (and shows no bar)
            con.execute("SET enable_progress_bar = false")
        except duckdb.Error:
            pass
        con.execute("SET preserve_insertion_order = false")  # faster temp tables; results are ORDERed
        if memory_limit:
            con.execute(f"SET memory_limit = '{memory_limit}'")
        if isinstance(source, pd.DataFrame):
            con.register("src_frame", source)
            rel = "src_frame"
        else:
            p = Path(source)
            if not p.exists():
                raise DataError(f"transaction log {p} does not exist")
            lit = str(p).replace("'", "''")
            rel = (f"read_parquet('{lit}')" if p.suffix.lower() in (".parquet", ".pq")
                   else f"read_csv('{lit}', auto_detect=true, header=true)")
        try:
            types = {r[0]: r[1] for r in con.execute(f"DESCRIBE SELECT * FROM {rel}").fetchall()}
            cols = list(types)
        except duckdb.Error as exc:
            raise DataError(f"cannot read {_source_name(source)}: {exc}") from exc
        missing = [c for c in (customer_col, date_col, amount_col) if c not in cols]
        if missing:
            raise DataError(f"{_source_name(source)} has no column(s) {missing}; columns are {cols}")

        def q(c):
            return '"' + c.replace('"', '""') + '"'

        dtype = types[date_col].upper()
        if dtype.startswith("DATE") or dtype.startswith("TIMESTAMP"):
            day = f"CAST({q(date_col)} AS DATE)"
        elif date_format:
            fmt = date_format.replace("'", "''")
            day = f"CAST(try_strptime(CAST({q(date_col)} AS VARCHAR), '{fmt}') AS DATE)"
        else:
            day = f"CAST(TRY_CAST(CAST({q(date_col)} AS VARCHAR) AS TIMESTAMP) AS DATE)"
        con.execute(f"""CREATE VIEW raw AS SELECT {q(customer_col)} AS customer_id, {q(date_col)} AS date_raw,
                        {q(amount_col)} AS amount_raw, {day} AS day,
                        TRY_CAST({q(amount_col)} AS DOUBLE) AS amount FROM {rel}""")
        con.execute("CREATE VIEW parsed AS SELECT customer_id, day, amount FROM raw")
        hold_sql = "NULL" if hold is None else _sql_date(hold)
        diag = con.execute(f"""SELECT COUNT(*),
                COUNT(*) FILTER (WHERE customer_id IS NULL),
                COUNT(*) FILTER (WHERE day IS NULL),
                COUNT(*) FILTER (WHERE amount IS NULL),
                COUNT(*) FILTER (WHERE amount < 0),
                COUNT(*) FILTER (WHERE amount = 0),
                COUNT(*) FILTER (WHERE day > {hold_sql}),
                MIN(day)
            FROM raw""").fetchone()
        n, n_noid, n_baddate, n_badamt, n_neg, n_zero, n_late, min_day = diag
        report = {"rows_read": int(n)}

        def examples(cond):
            return con.execute(f"SELECT customer_id AS {q(customer_col)}, date_raw AS {q(date_col)}, "
                               f"amount_raw AS {q(amount_col)} FROM raw WHERE {cond} LIMIT 5").df()

        if n_noid:
            raise bad_rows_error(f"a missing customer id (column '{customer_col}')", source,
                                 examples("customer_id IS NULL"), n_noid)
        if n_baddate:
            raise bad_rows_error(f"an unparseable or missing date in column '{date_col}'", source,
                                 examples("day IS NULL"), n_baddate, "Set date_format (e.g. '%Y%m%d' or '%d/%m/%Y')")
        if n_badamt:
            raise bad_rows_error(f"a non-numeric or missing amount in column '{amount_col}'", source,
                                 examples("amount IS NULL"), n_badamt)
        if n_neg and returns == "error":
            raise bad_rows_error(f"a negative amount (returns) in column '{amount_col}'", source,
                                 examples("amount < 0"), n_neg, "Use returns='drop' to drop them")
        report["returns_dropped"] = int(n_neg) if returns == "drop" else 0
        report["zero_amount_rows"] = int(n_zero)
        if n_late and after_holdout == "error":
            raise bad_rows_error(f"a date after holdout_end ({hold.date()})", source,
                                 examples(f"day > {hold_sql}"), n_late)
        report["after_holdout_dropped"] = int(n_late)
        fmt = dict(cal=_sql_date(cal), unit=repr(float(unit)),
                   hold_filter="" if hold is None else f"AND day <= {_sql_date(hold)}")
        con.execute(_DAILY_SQL.format(**fmt))
        con.execute(_FIRSTS_SQL)
        con.execute(_DUPS_SQL.format(hold_filter=fmt["hold_filter"].replace("day", "p.day")))
        n_dup = int(con.execute("SELECT COALESCE(SUM(dups), 0) FROM dupfix").fetchone()[0])
        report["duplicate_rows"] = n_dup
        if n_dup and duplicates == "error":
            ex = con.execute(f"SELECT customer_id AS {q(customer_col)}, day AS {q(date_col)}, dups + 1 AS copies "
                             "FROM dupfix ORDER BY customer_id, day LIMIT 5").df()
            raise bad_rows_error("an exact duplicate (same customer, date and amount)", source, ex, n_dup,
                                 "Use duplicates='keep' or 'drop'")
        report["duplicates_dropped"] = n_dup if duplicates == "drop" else 0
        if n_dup and duplicates == "drop":
            con.execute("UPDATE daily SET amount = dupfix.amount_distinct FROM dupfix "
                        "WHERE daily.customer_id = dupfix.customer_id AND daily.day = dupfix.day")
        n_after = int(con.execute(f"SELECT COUNT(*) FROM firsts WHERE first_day > {fmt['cal']}")
                      .fetchone()[0])
        report["customers_first_after_calibration"] = n_after
        # fetchnumpy + DataFrame is several times faster than .df() for millions of customers
        cols = con.execute(_SUMMARY_SQL.format(**fmt)).fetchnumpy()
        ids = cols.pop("customer_id")
        table = pd.DataFrame(cols, index=pd.Index(ids, name="customer_id"), copy=False)
        # dates travel as day numbers: converting DATE columns to pandas is several times slower
        for c in ("first_purchase", "last_purchase"):
            table[c] = pd.to_datetime(table[c].to_numpy(dtype="int64"), unit="D").astype("datetime64[ns]")
        table["duration_holdout"] = 0.0 if hold is None else (hold - cal).days / unit
        table = table[_COLUMNS]
        _finish_report(report, table)
        origin = start if start is not None else (pd.Timestamp(min_day) if min_day is not None else cal)
        counts = pd.Series(dtype=float)
        if period_counts:
            sql = _PERIOD_SQL.format(cal=_sql_date(cal), unit=repr(float(unit)), origin=origin.date().isoformat())
            if n_after == 0:  # every customer is in the cohort: no semi-join needed
                sql = sql.replace("FROM daily SEMI JOIN cohort USING (customer_id)", "FROM daily")
            per = con.execute(sql).df()
            counts = pd.Series(per["n"].to_numpy(dtype=float), index=per["period"].to_numpy(), name="n")
            counts.index.name = "period"
        return table, report, counts, origin
    finally:
        con.close()
