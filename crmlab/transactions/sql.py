"""The SQL path of :func:`crmlab.transactions.summarize`: one set of queries, two engines.

Every query below is DuckDB SQL; :mod:`crmlab.engine` runs it on DuckDB as it is and on
Spark after transpiling it with sqlglot.  Only reading the source (file, folder, glob or
DataFrame) and the physical plan hints (Spark: rows hash-partitioned by customer before
the per-day aggregation) differ between the engines.

Amounts are summed as whole micro-units (``BIGINT``, amount rounded to 1e-6), so sums are
exact and identical in any order on any engine; every time and mean is then one IEEE
double expression of exact integers, so DuckDB and Spark give bit-identical summaries.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from crmlab.transactions.common import _COLUMNS, CustomerSummary, bad_rows_error

__all__ = ["EngineSummary", "summarize_sql"]

_MICRO = "CAST(1000000 AS DOUBLE)"


def _d(v) -> str:
    """A double literal both dialects read as DOUBLE (Spark reads ``7.0`` as DECIMAL)."""
    return f"CAST({float(v)!r} AS DOUBLE)"


def _sql_date(ts: pd.Timestamp) -> str:
    return f"DATE '{ts.date().isoformat()}'"


# rows of the log that are purchases: parsed, not returns, not after the holdout; amounts in micro-units
_PARSED_SQL = """
SELECT customer_id, day, CAST(floor(amount * 1000000 + CAST(0.5 AS DOUBLE)) AS BIGINT) AS amount
FROM {raw} WHERE amount >= 0 {hold_filter}
"""

# one row per customer and purchase day (same-day purchases collapsed)
_DAILY_SQL = """
SELECT customer_id, day, SUM(amount) AS amount, COUNT(*) AS n_rows FROM {parsed} GROUP BY customer_id, day
"""

_FIRSTS_SQL = "SELECT customer_id, MIN(day) AS first_day FROM {daily} GROUP BY customer_id"

# exact duplicates can only sit in (customer, day) groups with several rows: look only there
_DUPS_SQL = """
SELECT p.customer_id, p.day, COUNT(*) - COUNT(DISTINCT p.amount) AS dups, SUM(DISTINCT p.amount) AS amount_distinct
FROM {parsed} p JOIN (SELECT customer_id, day FROM {daily} WHERE n_rows > 1) m
     ON p.customer_id = m.customer_id AND p.day = m.day
GROUP BY p.customer_id, p.day
HAVING COUNT(*) > COUNT(DISTINCT p.amount)
"""

_DEDUP_SQL = """
SELECT d.customer_id, d.day, COALESCE(f.amount_distinct, d.amount) AS amount
FROM {daily} d LEFT JOIN {dupfix} f ON d.customer_id = f.customer_id AND d.day = f.day
"""

_SUMMARY_SQL = """
SELECT customer_id,
       CAST(COUNT(*) FILTER (WHERE day <= {cal}) - 1 AS BIGINT) AS frequency,
       CAST(date_diff('day', first_day, MAX(day) FILTER (WHERE day <= {cal})) AS DOUBLE) / {unit} AS recency,
       CAST(date_diff('day', first_day, {cal}) AS DOUBLE) / {unit} AS "T",
       COALESCE(CAST(SUM(amount) FILTER (WHERE day > first_day AND day <= {cal}) AS DOUBLE)
                / NULLIF(COUNT(*) FILTER (WHERE day > first_day AND day <= {cal}), 0) / {micro},
                CAST(0 AS DOUBLE)) AS monetary_value,
       CAST(COALESCE(SUM(amount) FILTER (WHERE day <= {cal}), 0) AS DOUBLE) / {micro} AS spend,
       date_diff('day', DATE '1970-01-01', first_day) AS first_purchase,
       date_diff('day', DATE '1970-01-01', MAX(day) FILTER (WHERE day <= {cal})) AS last_purchase,
       CAST(COUNT(*) FILTER (WHERE day > first_day AND day <= {cal}
             AND 2 * date_diff('day', first_day, day) <= date_diff('day', first_day, {cal})) AS BIGINT)
         AS frequency_early,
       CAST(COUNT(*) FILTER (WHERE day > first_day AND day <= {cal}
             AND 2 * date_diff('day', first_day, day) > date_diff('day', first_day, {cal})) AS BIGINT)
         AS frequency_late,
       CAST(COUNT(*) FILTER (WHERE day > {cal}) AS BIGINT) AS frequency_holdout,
       CAST(COALESCE(SUM(amount) FILTER (WHERE day > {cal}), 0) AS DOUBLE) / {micro} AS spend_holdout,
       {duration} AS duration_holdout
FROM {days} JOIN {firsts} USING (customer_id)
WHERE first_day <= {cal}
GROUP BY customer_id, first_day
"""

_REPORT_SQL = """
SELECT COUNT(*), COUNT(*) FILTER (WHERE frequency > 0), COALESCE(SUM(frequency + 1), 0),
       COALESCE(SUM(frequency), 0), COALESCE(SUM(frequency_holdout), 0)
FROM {summary}
"""

# repeat purchase days per period = all purchase days - first purchase days (of the calibration cohort)
_PERIOD_SQL = """
WITH cohort AS (SELECT customer_id FROM {firsts} WHERE first_day <= {cal}),
alld AS (SELECT CAST(floor(CAST(date_diff('day', DATE '{origin}', day) AS DOUBLE) / {unit}) AS BIGINT) AS period,
                COUNT(*) AS n
         FROM {days} d {cohort_join} GROUP BY 1),
firstd AS (SELECT CAST(floor(CAST(date_diff('day', DATE '{origin}', first_day) AS DOUBLE) / {unit}) AS BIGINT)
                  AS period, COUNT(*) AS n FROM {firsts} WHERE first_day <= {cal} GROUP BY 1)
SELECT alld.period, alld.n - COALESCE(firstd.n, 0) AS n FROM alld LEFT JOIN firstd ON alld.period = firstd.period
WHERE alld.n - COALESCE(firstd.n, 0) > 0 ORDER BY alld.period
"""


def _q(c: str) -> str:
    return '"' + c.replace('"', '""') + '"'


def _day_expr(col: str, kind: str, date_format: str | None) -> str:
    c = _q(col)
    if kind in ("date", "timestamp"):
        return f"CAST({c} AS DATE)"
    if date_format:
        fmt = date_format.replace("'", "''")
        return f"CAST(try_strptime(CAST({c} AS VARCHAR), '{fmt}') AS DATE)"
    # ISO dates only (what pandas' path accepts too); engines differ on other spellings, the pattern does not
    return (f"CASE WHEN regexp_matches(CAST({c} AS VARCHAR), '^\\s*\\d{{4}}-\\d{{1,2}}-\\d{{1,2}}') "
            f"THEN CAST(TRY_CAST(CAST({c} AS VARCHAR) AS TIMESTAMP) AS DATE) END")


@dataclass
class EngineSummary:
    """A customer summary that stays in its engine (one row per customer in table ``name``).

    Only the data-rules report and the period counts are on the driver.  ``first_purchase``
    and ``last_purchase`` are day numbers (days since 1970-01-01) in the engine table.
    :meth:`to_customer_summary` collects it into the pandas :class:`CustomerSummary`.
    """

    engine: object
    name: str
    prefix: str
    report: dict
    calibration_end: pd.Timestamp
    holdout_end: pd.Timestamp | None
    time_unit_days: float
    start: pd.Timestamp | None = None
    period_counts: pd.Series = field(default_factory=lambda: pd.Series(dtype=float))
    owns_engine: bool = False

    @property
    def n_customers(self) -> int:
        return int(self.report["customers"])

    def temp(self, what: str) -> str:
        """A temp view/table name private to this summary."""
        return f"{self.prefix}_{what}"

    def to_customer_summary(self) -> CustomerSummary:
        """Collect the table to pandas (ordered by customer id), same layout as the pandas path."""
        cols = self.engine.fetch_numpy(f"SELECT * FROM {self.name} ORDER BY customer_id")
        ids = np.asarray(cols.pop("customer_id"))
        if ids.dtype.kind in "iu":  # Spark infers INT for small CSV ids, DuckDB BIGINT: one id type
            ids = ids.astype("int64")
        table = pd.DataFrame(cols, index=pd.Index(ids, name="customer_id"), copy=False)
        # dates travel as day numbers: converting DATE columns to pandas is several times slower
        for c in ("first_purchase", "last_purchase"):
            table[c] = pd.to_datetime(table[c].to_numpy(dtype="int64"), unit="D").astype("datetime64[ns]")
        for c in ("frequency", "frequency_early", "frequency_late", "frequency_holdout"):
            table[c] = table[c].astype("int64")
        table = table[_COLUMNS]
        return CustomerSummary(table=table, report=dict(self.report), calibration_end=self.calibration_end,
                               holdout_end=self.holdout_end, time_unit_days=self.time_unit_days,
                               start=self.start, period_counts=self.period_counts)

    def birth_counts(self) -> pd.Series:
        """Customers per first-purchase time (time units from ``start``), for :func:`crmlab.clv.tracking`."""
        origin = (self.start - pd.Timestamp("1970-01-01")).days
        df = self.engine.query(f"SELECT first_purchase, COUNT(*) AS n FROM {self.name} GROUP BY 1 ORDER BY 1")
        idx = (df["first_purchase"].to_numpy(dtype=float) - origin) / self.time_unit_days
        return pd.Series(df["n"].to_numpy(dtype=float), index=idx, name="customers")

    def close(self):
        """Drop this summary's tables and views (and the engine when the summary opened it)."""
        if self.owns_engine:
            self.engine.close()
        else:
            self.engine.drop(*(self.temp(w) for w in ("summary", "firsts", "days", "dupfix", "daily", "parsed_k",
                                                         "parsed", "raw", "src")))


def summarize_sql(eng, source, *, customer_col, date_col, amount_col, cal, hold, unit, date_format, returns,
                  duplicates, after_holdout, start, period_counts, owns_engine=False) -> EngineSummary:
    """Run the summary queries on engine ``eng``; the result stays in the engine."""
    from crmlab.core.errors import DataError

    p = f"crm_{uuid.uuid4().hex[:10]}"
    src, raw, parsed, daily, dupfix, days, firsts, summ = (f"{p}_{w}" for w in (
        "src", "raw", "parsed", "daily", "dupfix", "days", "firsts", "summary"))
    kinds = eng.register_source(src, source)
    cols = list(kinds)
    missing = [c for c in (customer_col, date_col, amount_col) if c not in cols]
    if missing:
        raise DataError(f"{_source_name(source)} has no column(s) {missing}; columns are {cols}")
    day = _day_expr(date_col, kinds[date_col], date_format)
    eng.view(raw, f"""SELECT {_q(customer_col)} AS customer_id, {_q(date_col)} AS date_raw,
                      {_q(amount_col)} AS amount_raw, {day} AS day,
                      TRY_CAST({_q(amount_col)} AS DOUBLE) AS amount FROM {src}""")
    hold_sql = "NULL" if hold is None else _sql_date(hold)
    diag = eng.row(f"""SELECT COUNT(*),
            COUNT(*) FILTER (WHERE customer_id IS NULL),
            COUNT(*) FILTER (WHERE day IS NULL),
            COUNT(*) FILTER (WHERE amount IS NULL),
            COUNT(*) FILTER (WHERE amount < 0),
            COUNT(*) FILTER (WHERE amount = 0),
            COUNT(*) FILTER (WHERE day > {hold_sql}),
            date_diff('day', DATE '1970-01-01', MIN(day))
        FROM {raw}""")
    n, n_noid, n_baddate, n_badamt, n_neg, n_zero, n_late, min_day = (None if v is None else int(v) for v in diag)
    report = {"rows_read": n}

    def examples(cond):
        return eng.query(f"SELECT customer_id AS {_q(customer_col)}, date_raw AS {_q(date_col)}, "
                         f"amount_raw AS {_q(amount_col)} FROM {raw} WHERE {cond} LIMIT 5")

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
    report["returns_dropped"] = n_neg if returns == "drop" else 0
    report["zero_amount_rows"] = n_zero
    if n_late and after_holdout == "error":
        raise bad_rows_error(f"a date after holdout_end ({hold.date()})", source,
                             examples(f"day > {hold_sql}"), n_late)
    report["after_holdout_dropped"] = n_late
    hold_filter = "" if hold is None else f"AND day <= {_sql_date(hold)}"
    eng.view(parsed, _PARSED_SQL.format(raw=raw, hold_filter=hold_filter))
    # Spark: one shuffle by customer serves the per-day and the per-customer aggregations (DuckDB ignores the hint)
    eng.view(parsed + "_k", f"SELECT * FROM {parsed}", partition_key="customer_id")
    eng.table(daily, _DAILY_SQL.format(parsed=parsed + "_k"))
    eng.table(firsts, _FIRSTS_SQL.format(daily=daily))
    eng.table(dupfix, _DUPS_SQL.format(parsed=parsed, daily=daily))
    n_dup = int(eng.row(f"SELECT COALESCE(SUM(dups), 0) FROM {dupfix}")[0])
    report["duplicate_rows"] = n_dup
    if n_dup and duplicates == "error":
        ex = eng.query(f"SELECT customer_id AS {_q(customer_col)}, day AS {_q(date_col)}, dups + 1 AS copies "
                       f"FROM {dupfix} ORDER BY customer_id, day LIMIT 5")
        raise bad_rows_error("an exact duplicate (same customer, date and amount)", source, ex, n_dup,
                             "Use duplicates='keep' or 'drop'")
    report["duplicates_dropped"] = n_dup if duplicates == "drop" else 0
    if n_dup and duplicates == "drop":
        eng.table(days, _DEDUP_SQL.format(daily=daily, dupfix=dupfix))
    else:
        eng.view(days, f"SELECT customer_id, day, amount FROM {daily}")
    cal_sql = _sql_date(cal)
    n_after = int(eng.row(f"SELECT COUNT(*) FROM {firsts} WHERE first_day > {cal_sql}")[0])
    report["customers_first_after_calibration"] = n_after
    duration = _d(0.0 if hold is None else (hold - cal).days / unit)
    eng.table(summ, _SUMMARY_SQL.format(cal=cal_sql, unit=_d(unit), micro=_MICRO, days=days, firsts=firsts,
                                         duration=duration))
    c, rep, tc, rtc, th = (int(v) for v in eng.row(_REPORT_SQL.format(summary=summ)))
    report.update(customers=c, repeaters=rep, transactions_calibration=tc, repeat_transactions_calibration=rtc,
                  transactions_holdout=th)
    if min_day is not None:
        min_ts = pd.Timestamp("1970-01-01") + pd.Timedelta(days=min_day)
    origin = start if start is not None else (min_ts if min_day is not None else cal)
    counts = pd.Series(dtype=float)
    if period_counts and c:
        join = "" if n_after == 0 else "SEMI JOIN cohort ON d.customer_id = cohort.customer_id"
        per = eng.query(_PERIOD_SQL.format(cal=cal_sql, unit=_d(unit), origin=origin.date().isoformat(),
                                           days=days, firsts=firsts, cohort_join=join))
        counts = pd.Series(per["n"].to_numpy(dtype=float), index=per["period"].to_numpy(dtype="int64"), name="n")
        counts.index.name = "period"
    return EngineSummary(engine=eng, name=summ, prefix=p, report=report, calibration_end=cal, holdout_end=hold,
                         time_unit_days=unit, start=origin, period_counts=counts, owns_engine=owns_engine)


def _source_name(source) -> str:
    return "the DataFrame" if isinstance(source, pd.DataFrame) else f"file {source}"
