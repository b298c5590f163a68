"""The SQL path of :func:`crmlab.transactions.summarize`: one set of queries, two engines.

Every query below is DuckDB SQL; :mod:`crmlab.engine` runs it on DuckDB as it is and on
Spark after transpiling it with sqlglot.  Only reading the source (file, folder, glob or
DataFrame) and the physical plan hints (Spark: rows hash-partitioned by customer before
the per-day aggregation) differ between the engines.

Amounts are summed as whole micro-units (``BIGINT``, amount rounded to 1e-6), so sums are
exact and identical in any order on any engine; every time and mean is then one IEEE
double expression of exact integers, so DuckDB and Spark give bit-identical summaries.
The rules for exported files (amounts written as ``¥1,234.50``, repeated header lines, order
statuses, refunds netted against their order) are the patterns of :mod:`.common`, which the
pandas path applies too.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from crmlab.transactions.common import (_COLUMNS, BGBB_COLUMNS, DATE_PATTERN, EXCLUDE_STATUS, INTEGER_ID,
                                        MONEY_PATTERN,
                                        MONEY_STRIP, CustomerSummary, bad_rows_error, check_dates_in_range,
                                        header_lines, locate_rows, no_transactions_error, parse_days, parse_money,
                                        rows_phrase, status_excluded)

__all__ = ["EngineSummary", "summarize_sql"]

_MICRO = "CAST(1000000 AS DOUBLE)"


def _d(v) -> str:
    """A double literal both dialects read as DOUBLE (Spark reads ``7.0`` as DECIMAL)."""
    return f"CAST({float(v)!r} AS DOUBLE)"


def _s(text) -> str:
    return "'" + str(text).replace("'", "''") + "'"


def _sql_date(ts: pd.Timestamp) -> str:
    return f"DATE '{ts.date().isoformat()}'"


def _q(c: str) -> str:
    return '"' + str(c).replace('"', '""') + '"'


# purchase units (orders, or days) with their refunds netted: a unit refunded to zero or below is no purchase
_NET_SQL = """
SELECT u.customer_id, u.day, u.amount + COALESCE(r.refund, 0) AS amount,
       CASE WHEN r.refund IS NOT NULL AND u.amount + r.refund <= 0 THEN 1 ELSE 0 END AS refunded
FROM {units} u LEFT JOIN {ref} r ON u.customer_id = r.customer_id AND {on}
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

# the discrete-time (BG/BB) view: periods of {p} days from each customer's first purchase day (period 0 holds it)
_OPPORTUNITY_SQL = """
WITH kk AS (SELECT d.customer_id, CAST(floor(CAST(date_diff('day', f.first_day, d.day) AS DOUBLE) / {p}) AS BIGINT)
                   AS k
            FROM {days} d JOIN {firsts} f ON d.customer_id = f.customer_id WHERE f.first_day <= {cal} GROUP BY 1, 2),
nn AS (SELECT customer_id, {n} AS n, {nh} AS nh FROM {firsts} WHERE first_day <= {cal})
SELECT nn.customer_id, COUNT(kk.k) FILTER (WHERE kk.k >= 1 AND kk.k <= nn.n) AS bgbb_x,
       COALESCE(MAX(kk.k) FILTER (WHERE kk.k >= 1 AND kk.k <= nn.n), 0) AS bgbb_tx, nn.n AS bgbb_n,
       COUNT(kk.k) FILTER (WHERE kk.k > nn.n AND kk.k <= nn.nh) AS bgbb_x_holdout, nn.nh - nn.n AS bgbb_n_holdout
FROM nn LEFT JOIN kk ON nn.customer_id = kk.customer_id GROUP BY nn.customer_id, nn.n, nn.nh
"""


def _whole_periods(end_sql: str, p: float) -> str:
    return (f"GREATEST(CAST(floor((CAST(date_diff('day', first_day, {end_sql}) AS DOUBLE) + CAST(1 AS DOUBLE)) "
            f"/ {_d(p)}) AS BIGINT) - 1, 0)")


def _day_expr(col: str, kind: str, date_format: str | None) -> str:
    c = _q(col)
    if kind in ("date", "timestamp"):
        return f"CAST({c} AS DATE)"
    if date_format:
        fmt = date_format.replace("'", "''")
        return f"CAST(try_strptime(CAST({c} AS VARCHAR), '{fmt}') AS DATE)"
    # ISO-like dates only (what the pandas path accepts too); engines differ on other spellings, the pattern does not
    return (f"CASE WHEN regexp_matches(CAST({c} AS VARCHAR), {_s(DATE_PATTERN)}) "
            f"THEN CAST(TRY_CAST(replace(CAST({c} AS VARCHAR), '/', '-') AS TIMESTAMP) AS DATE) END")


def _amount_expr(col: str, kind: str) -> str:
    c = _q(col)
    if kind == "number":
        return f"TRY_CAST({c} AS DOUBLE)"
    text = f"CAST({c} AS VARCHAR)"
    return (f"CASE WHEN regexp_matches({text}, {_s(MONEY_PATTERN)}) "
            f"THEN TRY_CAST(regexp_replace({text}, {_s(MONEY_STRIP)}, '', 'g') AS DOUBLE) END")


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
    extra_columns: list = field(default_factory=list)
    temps: list = field(default_factory=list)

    @property
    def n_customers(self) -> int:
        return int(self.report["customers"])

    def temp(self, what: str) -> str:
        """A temp view/table name private to this summary."""
        name = f"{self.prefix}_{what}"
        if name not in self.temps:
            self.temps.append(name)
        return name

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
        for c in ("frequency", "frequency_early", "frequency_late", "frequency_holdout",
                  *[b for b in BGBB_COLUMNS if b in table]):
            table[c] = table[c].astype("int64")
        table = table[_COLUMNS + list(self.extra_columns)]
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
            self.engine.drop(*reversed(self.temps))


@dataclass
class _Spec:
    """What the queries read and how (column names and kinds, the rules' settings)."""

    customer_col: str
    date_col: str
    amount_col: str
    order_col: str | None
    status_col: str | None
    exclude_status: tuple
    attributes: tuple
    date_format: str | None

    def pandas_masks(self, frame: pd.DataFrame) -> dict:
        """The rules in pandas on a frame of the raw columns (to number the rows an error quotes)."""
        hdr = header_lines(frame, {c: c for c in (self.customer_col, self.date_col, self.amount_col)})
        excl = False
        if self.status_col:
            excl = status_excluded(frame[self.status_col], self.exclude_status) & ~(
                parse_money(frame[self.amount_col]) < 0)
        used = ~hdr & ~excl
        return {"used": used, "id": used & frame[self.customer_col].isna(),
                "order": used & frame[self.order_col].isna() if self.order_col else used & False,
                "day": used & parse_days(frame[self.date_col], self.date_format).isna(),
                "amount": used & parse_money(frame[self.amount_col]).isna()}

    @property
    def columns(self) -> list:
        return [c for c in (self.customer_col, self.date_col, self.amount_col, self.order_col, self.status_col) if c]


def _raw_sql(spec: _Spec, kinds: dict, src: str) -> str:
    hdr = " AND ".join(f"COALESCE(trim(CAST({_q(c)} AS VARCHAR)) = {_s(c)}, FALSE)"
                       for c in (spec.customer_col, spec.date_col, spec.amount_col))
    excl = "FALSE"
    if spec.status_col:
        values = ", ".join(_s(str(v).strip(" ").lower()) for v in spec.exclude_status) or "NULL"
        # a refund row is netted whatever its status says (退款成功 on a refund line is the refund itself)
        excl = (f"COALESCE(lower(trim(CAST({_q(spec.status_col)} AS VARCHAR))) IN ({values}), FALSE) "
                f"AND NOT COALESCE({_amount_expr(spec.amount_col, kinds[spec.amount_col])} < 0, FALSE)")
    order = _q(spec.order_col) if spec.order_col else "CAST(NULL AS VARCHAR)"
    attrs = "".join(f", {_q(a)} AS attr_{i}" for i, a in enumerate(spec.attributes))
    return f"""SELECT {_q(spec.customer_col)} AS customer_id, {_q(spec.date_col)} AS date_raw,
                      {_q(spec.amount_col)} AS amount_raw, {_day_expr(spec.date_col, kinds[spec.date_col],
                                                                       spec.date_format)} AS day,
                      {_amount_expr(spec.amount_col, kinds[spec.amount_col])} AS amount, {order} AS order_id,
                      ({hdr}) AS hdr, ({excl}) AND NOT ({hdr}) AS excl{attrs}
               FROM {src}"""


def _scan(eng, source, src, raw, spec, hold_sql):
    """Register the source and run the first full scan (the counts every rule needs).

    DuckDB guesses CSV column types from a sample; a repeated header line beyond the sample makes the
    scan fail, so the scan is retried once with types guessed from the whole file (as Spark does)."""
    from crmlab.core.errors import DataError
    from crmlab.transactions.pandas_path import missing_columns_error

    named = {"customer_col": spec.customer_col, "date_col": spec.date_col, "amount_col": spec.amount_col,
             "order_col": spec.order_col, "status_col": spec.status_col,
             **{f"covariates ({a})": a for a in spec.attributes}}
    used = "NOT hdr AND NOT excl"
    diag = f"""SELECT COUNT(*), COUNT(*) FILTER (WHERE hdr), COUNT(*) FILTER (WHERE excl),
            COUNT(*) FILTER (WHERE {used} AND customer_id IS NULL),
            COUNT(*) FILTER (WHERE {used} AND order_id IS NULL),
            COUNT(*) FILTER (WHERE {used} AND day IS NULL),
            COUNT(*) FILTER (WHERE {used} AND amount IS NULL),
            COUNT(*) FILTER (WHERE {used} AND day > {hold_sql}),
            COUNT(*) FILTER (WHERE {used} AND NOT COALESCE(day > {hold_sql}, FALSE) AND amount < 0),
            COUNT(*) FILTER (WHERE {used} AND NOT COALESCE(day > {hold_sql}, FALSE) AND amount = 0),
            COUNT(*) FILTER (WHERE {used} AND NOT COALESCE(day > {hold_sql}, FALSE) AND amount >= 0),
            date_diff('day', DATE '1970-01-01', MIN(day) FILTER (WHERE {used})),
            date_diff('day', DATE '1970-01-01', MAX(day) FILTER (WHERE {used}))
        FROM {raw}"""
    for attempt in (0, 1):
        kinds = eng.register_source(src, source, full_sniff=bool(attempt), text_columns=[spec.date_col])
        err = missing_columns_error(source, named, list(kinds))
        if err is not None:
            raise err
        eng.view(raw, _raw_sql(spec, kinds, src))
        try:
            return eng.row(diag)
        except DataError:
            raise
        except Exception as exc:  # the engine could not read a value: a CSV type guessed from a sample
            if attempt or getattr(eng, "name", "") != "duckdb" or isinstance(source, pd.DataFrame):
                first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
                raise DataError(f"cannot read {_source_name(source)}: {first}") from None


def summarize_sql(eng, source, *, customer_col, date_col, amount_col, cal, hold, unit, date_format, returns,
                  duplicates, after_holdout, start, period_counts, order_col=None, status_col=None,
                  exclude_status=EXCLUDE_STATUS, attributes=(), opportunity_days=None,
                  owns_engine=False) -> EngineSummary:
    """Run the summary queries on engine ``eng``; the result stays in the engine."""
    p = f"crm_{uuid.uuid4().hex[:10]}"
    es = EngineSummary(engine=eng, name="", prefix=p, report={}, calibration_end=cal, holdout_end=hold,
                       time_unit_days=unit, owns_engine=owns_engine, extra_columns=list(attributes))
    T = es.temp
    src, raw = T("src"), T("raw")
    spec = _Spec(customer_col, date_col, amount_col, order_col, status_col, tuple(exclude_status), tuple(attributes),
                 date_format)
    hold_sql = "NULL" if hold is None else _sql_date(hold)
    diag = _scan(eng, source, src, raw, spec, hold_sql)
    (n, n_hdr, n_excl, n_noid, n_noorder, n_baddate, n_badamt, n_late, n_neg, n_zero, n_live, min_day,
     max_day) = (None if v is None else int(v) for v in diag)
    report = {"rows_read": n, "header_lines_dropped": n_hdr, "status_excluded": n_excl}
    used = "NOT hdr AND NOT excl"

    def fail(what, count, cond, col, mask, hint=""):
        ex = [] if col is None else eng.query(f"SELECT {col} AS v FROM {raw} WHERE {used} AND {cond} LIMIT 5")["v"]
        pos = locate_rows(source, lambda f: spec.pandas_masks(f)[mask], spec.columns) if mask else []
        raise bad_rows_error(what, source, count, examples=list(ex), rows=rows_phrase(source, pos), hint=hint)

    if n_noid:
        fail(f"a missing customer id in column '{customer_col}'", n_noid, "customer_id IS NULL", None, "id",
             "Fill the ids or drop those rows (parameter customer_col names the id column)")
    if order_col and n_noorder:
        fail(f"a missing order id in column '{order_col}'", n_noorder, "order_id IS NULL", None, "order",
             "Fill the order ids, or leave parameter order_col unset to net refunds by date")
    if n_baddate:
        fail(f"an unparseable or missing date in column '{date_col}'", n_baddate, "day IS NULL", "date_raw", "day",
             "Set date_format (e.g. '%Y%m%d', '%d/%m/%Y' or '%Y年%m月%d日')")
    if n_badamt:
        fail(f"an amount that is not a number in column '{amount_col}'", n_badamt, "amount IS NULL", "amount_raw",
             "amount", "Amounts such as 1234.5, 1,234.50, ¥1,234.50 or $12.00 are read; fix these cells "
             "(parameter amount_col names the column)")
    if n == n_hdr + n_excl:
        raise no_transactions_error(source, report)
    if n_late and after_holdout == "error":
        fail(f"a date after holdout_end ({hold.date()})", n_late, f"day > {hold_sql}", "date_raw", None)
    report["after_holdout_dropped"] = n_late
    if n_neg and returns == "error":
        fail(f"a negative amount (a refund) in column '{amount_col}'", n_neg,
             f"amount < 0 AND NOT COALESCE(day > {hold_sql}, FALSE)", "amount_raw", None,
             "Use returns='net' to net refunds against their purchase or returns='drop' to drop them")
    report["returns_dropped"] = n_neg if returns == "drop" else 0
    if not n_live:
        raise no_transactions_error(source, report)
    epoch = pd.Timestamp("1970-01-01")
    first_day, last_day = epoch + pd.Timedelta(days=min_day), epoch + pd.Timedelta(days=max_day)
    check_dates_in_range(first_day, last_day, cal, hold, unit, source)
    report["zero_amount_rows"] = n_zero
    net = returns == "net" and n_neg > 0
    ident = "customer_id"
    if n_hdr and eng.row(f"""SELECT COUNT(*) FROM {raw} WHERE {used}
                             AND NOT regexp_matches(CAST(customer_id AS VARCHAR), {_s(INTEGER_ID)})""")[0] == 0:
        ident = "CAST(customer_id AS BIGINT) AS customer_id"  # whole-number ids, read as text only for the headers
    hold_filter = "" if hold is None else f"AND day <= {_sql_date(hold)}"
    sign = "" if net else "AND amount >= 0"
    attrs = "".join(f", attr_{i}" for i in range(len(attributes)))
    lines, purchases, pk, dupfix = T("lines"), T("purchases"), T("pk"), T("dupfix")
    eng.view(lines, f"""SELECT {ident}, day,
                               CAST(floor(amount * 1000000 + CAST(0.5 AS DOUBLE)) AS BIGINT) AS amount, order_id{attrs}
                        FROM {raw} WHERE {used} {hold_filter} {sign}""")
    # Spark: one shuffle by customer serves the per-day and the per-customer aggregations (DuckDB ignores the hint)
    eng.view(purchases, f"SELECT * FROM {lines} WHERE amount >= 0", partition_key="customer_id")
    key = "customer_id, day" + (", order_id" if order_col else "")
    eng.table(pk, f"SELECT {key}, SUM(amount) AS amount, COUNT(*) AS n_rows FROM {purchases} GROUP BY {key}")
    on = " AND ".join(f"p.{k} = m.{k}" for k in key.split(", "))
    eng.table(dupfix, f"""SELECT {', '.join('p.' + k for k in key.split(', '))},
                                 COUNT(*) - COUNT(DISTINCT p.amount) AS dups, SUM(DISTINCT p.amount) AS amount_distinct
                          FROM {purchases} p JOIN (SELECT {key} FROM {pk} WHERE n_rows > 1) m ON {on}
                          GROUP BY {', '.join('p.' + k for k in key.split(', '))}
                          HAVING COUNT(*) > COUNT(DISTINCT p.amount)""")
    n_dup = int(eng.row(f"SELECT COALESCE(SUM(dups), 0) FROM {dupfix}")[0])
    report["duplicate_rows"] = n_dup
    if n_dup and duplicates == "error":
        from crmlab.core.privacy import pseudonymize

        ex = eng.query(f"SELECT customer_id, day FROM {dupfix} ORDER BY customer_id, day LIMIT 5")
        shown = [f"{c} on {pd.Timestamp(d).date()}" for c, d in zip(pseudonymize(ex["customer_id"]), ex["day"])]
        raise bad_rows_error("an exact duplicate (same customer, date and amount)", source, n_dup, examples=shown,
                             hint="Use duplicates='keep' or 'drop'")
    report["duplicates_dropped"] = n_dup if duplicates == "drop" else 0
    fixed = pk
    if n_dup and duplicates == "drop":
        fixed = T("dedup")
        on = " AND ".join(f"d.{k} = f.{k}" for k in key.split(", "))
        eng.table(fixed, f"""SELECT {', '.join('d.' + k for k in key.split(', '))},
                                    COALESCE(f.amount_distinct, d.amount) AS amount
                             FROM {pk} d LEFT JOIN {dupfix} f ON {on}""")
    days = _net(eng, T, fixed, lines, report, by_order=bool(order_col), net=net, n_refunds=n_neg)
    firsts, summ = T("firsts"), T("summary")
    eng.table(firsts, f"SELECT customer_id, MIN(day) AS first_day FROM {days} GROUP BY customer_id")
    cal_sql = _sql_date(cal)
    n_after = int(eng.row(f"SELECT COUNT(*) FROM {firsts} WHERE first_day > {cal_sql}")[0])
    report["customers_first_after_calibration"] = n_after
    duration = _d(0.0 if hold is None else (hold - cal).days / unit)
    summary_sql = _SUMMARY_SQL.format(cal=cal_sql, unit=_d(unit), micro=_MICRO, days=days, firsts=firsts,
                                      duration=duration)
    joins = []
    if attributes:
        joins.append(_attributes(eng, T, purchases, firsts, cal_sql, attributes, report))
    if opportunity_days:
        opp = T("opportunities")
        p_ = float(opportunity_days)
        eng.table(opp, _OPPORTUNITY_SQL.format(
            days=days, firsts=firsts, cal=cal_sql, p=_d(p_), n=_whole_periods(cal_sql, p_),
            nh=(f"GREATEST({_whole_periods(hold_sql, p_)}, {_whole_periods(cal_sql, p_)})" if hold is not None
                else _whole_periods(cal_sql, p_))))
        joins.append((opp, BGBB_COLUMNS))
        es.extra_columns += BGBB_COLUMNS
    if joins:
        base = T("summary_base")
        eng.table(base, summary_sql)
        cols = "".join(f", j{i}.{_q(c)}" for i, (_, cs) in enumerate(joins) for c in cs)
        frm = "".join(f" LEFT JOIN {t} j{i} ON s.customer_id = j{i}.customer_id" for i, (t, _) in enumerate(joins))
        eng.table(summ, f"SELECT s.*{cols} FROM {base} s{frm}")
    else:
        eng.table(summ, summary_sql)
    c, rep, tc, rtc, th = (int(v) for v in eng.row(_REPORT_SQL.format(summary=summ)))
    report.update(customers=c, repeaters=rep, transactions_calibration=tc, repeat_transactions_calibration=rtc,
                  transactions_holdout=th, first_day=first_day, last_day=last_day)
    origin = start if start is not None else first_day
    counts = pd.Series(dtype=float)
    if period_counts and c:
        join = "" if n_after == 0 else "SEMI JOIN cohort ON d.customer_id = cohort.customer_id"
        per = eng.query(_PERIOD_SQL.format(cal=cal_sql, unit=_d(unit), origin=origin.date().isoformat(),
                                           days=days, firsts=firsts, cohort_join=join))
        counts = pd.Series(per["n"].to_numpy(dtype=float), index=per["period"].to_numpy(dtype="int64"), name="n")
        counts.index.name = "period"
    es.name, es.report, es.start, es.period_counts = summ, report, origin, counts
    return es


def _net(eng, T, fixed, lines, report, *, by_order: bool, net: bool, n_refunds: int) -> str:
    """Purchase days from purchase units net of refunds (see :func:`crmlab.transactions.pandas_path._units_to_days`)."""
    report.update(refund_rows_netted=0, refunds_unmatched=0, purchases_refunded=0)
    days = T("days")
    if not by_order and not net:
        eng.view(days, f"SELECT customer_id, day, amount FROM {fixed}")
        return days
    units = T("units")
    if by_order:
        eng.table(units, f"SELECT customer_id, order_id, MIN(day) AS day, SUM(amount) AS amount FROM {fixed} "
                         "GROUP BY customer_id, order_id")
    else:
        eng.view(units, f"SELECT customer_id, day, amount FROM {fixed}")
    kept = units
    if net:
        ref = T("refunds")
        if by_order:
            eng.table(ref, f"SELECT customer_id, order_id, SUM(amount) AS refund, COUNT(*) AS n FROM {lines} "
                           "WHERE amount < 0 GROUP BY customer_id, order_id")
            unmatched = eng.row(f"""SELECT COALESCE(SUM(r.n), 0) FROM {ref} r LEFT JOIN {units} u
                                    ON r.customer_id = u.customer_id AND r.order_id = u.order_id
                                    WHERE u.customer_id IS NULL""")[0]
            on = "u.order_id = r.order_id"
        else:
            tagged = T("tagged")
            eng.table(tagged, f"""SELECT customer_id, amount, k,
                   MAX(CASE WHEN k = 0 THEN day END) OVER (PARTITION BY customer_id ORDER BY day, k
                                                           ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW) AS target
                   FROM (SELECT customer_id, day, amount, 0 AS k FROM {units}
                         UNION ALL SELECT customer_id, day, amount, 1 AS k FROM {lines} WHERE amount < 0) e""")
            eng.table(ref, f"SELECT customer_id, target AS day, SUM(amount) AS refund, COUNT(*) AS n FROM {tagged} "
                           "WHERE k = 1 AND target IS NOT NULL GROUP BY customer_id, target")
            unmatched = eng.row(f"SELECT COUNT(*) FROM {tagged} WHERE k = 1 AND target IS NULL")[0]
            on = "u.day = r.day"
        kept = T("netted")
        eng.table(kept, _NET_SQL.format(units=units, ref=ref, on=on))
        refunded = eng.row(f"SELECT COALESCE(SUM(refunded), 0) FROM {kept}")[0]
        report.update(refund_rows_netted=int(n_refunds) - int(unmatched), refunds_unmatched=int(unmatched),
                      purchases_refunded=int(refunded))
        kept = f"(SELECT * FROM {kept} WHERE refunded = 0)"
    eng.table(days, f"SELECT customer_id, day, SUM(amount) AS amount FROM {kept} k GROUP BY customer_id, day")
    return days


def _attributes(eng, T, purchases, firsts, cal_sql, attributes, report):
    """Each cohort customer's attributes on the first purchase day (the smallest value when several)."""
    table = T("attributes")
    cols = ", ".join(f"MIN(l.attr_{i}) AS {_q(a)}" for i, a in enumerate(attributes))
    eng.table(table, f"""SELECT f.customer_id, {cols} FROM {firsts} f JOIN {purchases} l
                         ON l.customer_id = f.customer_id AND l.day = f.first_day
                         WHERE f.first_day <= {cal_sql} GROUP BY f.customer_id""")
    varying = 0
    for i in range(len(attributes)):
        n = eng.row(f"""SELECT COUNT(*) FROM (SELECT l.customer_id FROM {purchases} l JOIN {firsts} f
                        ON l.customer_id = f.customer_id WHERE f.first_day <= {cal_sql}
                        GROUP BY l.customer_id HAVING COUNT(DISTINCT l.attr_{i}) > 1) v""")[0]
        varying = max(varying, int(n))
    report["attributes_varying"] = varying
    return table, list(attributes)


def _source_name(source) -> str:
    from crmlab.transactions.common import _source_name as name

    return name(source)
