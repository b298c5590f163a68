"""Transaction log -> customer summary (frequency, recency, T, monetary value).

The default engine is DuckDB SQL run directly over a CSV or Parquet file, a
folder of them, a glob or a registered DataFrame, so logs larger than memory
work; ``engine="spark"`` runs the same SQL text (transpiled by sqlglot, see
:mod:`crmlab.engine`) on Apache Spark, locally or on a cluster;
``engine="pandas"`` does the same in pandas for small frames.  All follow
the buy-till-you-die conventions of Fader, Hardie & Lee (2005):

* all purchases of a customer on the same calendar day are one transaction
  (their amounts are summed);
* ``frequency`` ``x`` = transaction days in the calibration period minus one
  (repeat purchases); ``recency`` ``t_x`` = time from the first to the last
  transaction day; ``T`` = time from the first transaction day to
  ``calibration_end`` (inclusive end date); times in ``time_unit`` (days/7 for weeks);
* ``monetary_value`` = mean value of the repeat transaction days (the
  first purchase is excluded, as the Gamma-Gamma model requires); 0 when x = 0;
* holdout columns count transaction days in ``(calibration_end, holdout_end]``.

Data rules, in this order (each counted in ``CustomerSummary.report``, zeros included):

* a row repeating the header (a concatenated export) is dropped;
* with ``status_col``, rows whose status is one of ``exclude_status`` (已退款, refunded,
  cancelled...) are not purchases and are dropped (refund rows, negative amounts, are
  netted whatever their status);
* amounts may be written as exported (``¥1,234.50``, ``1,234.50``, ``$12.00``, ``12.5 元``);
  unparseable or missing dates / amounts / customer ids (order ids with ``order_col``) ->
  ``DataError`` naming the column, the rows as numbered in the file and example values
  (never a customer id);
* transactions after ``holdout_end`` are dropped and counted (or ``"error"``);
* ``returns``: rows with a negative amount are refunds. ``"net"`` (default) nets each
  against its order (same ``order_col`` value) or, without order ids, against the
  customer's latest purchase day on or before it; a purchase refunded to zero or below
  is not a purchase; a refund with nothing to net against is dropped. ``"drop"`` drops
  refunds (the refunded purchase then counts in full); ``"error"`` raises. Zero amounts
  that were not refunded are kept as transactions (a purchase happened; CDNOW has 8
  such rows and FHL 2005 count them);
* ``duplicates``: purchase rows identical in customer, date, amount (and order id).
  ``"keep"`` (default; a log without transaction ids cannot tell a double
  entry from two equal items, and FHL's CDNOW figures keep them), ``"drop"``, ``"error"``;
* customers whose first purchase falls after ``calibration_end`` are not in
  the calibration cohort and are counted, not summarised.

``calibration_end`` and ``holdout_end`` must lie inside the dates of the purchases used:
a calibration end before the first purchase, on or after the last one while a holdout is
asked for, or a holdout end more than one time unit after the last purchase is refused
(``ParameterError``), as is a log with no transactions (``DataError``).
"""

from __future__ import annotations

import codecs
from pathlib import Path

import pandas as pd

from crmlab.core.errors import DataError, ParameterError

__all__ = ["ENGINES", "TIME_UNITS", "CustomerSummary", "open_source", "summarize", "summarize_in_engine"]

#: engines of :func:`summarize`
from crmlab.transactions.common import (_COLUMNS, ENGINES, EXCLUDE_STATUS, RETURNS, TIME_UNITS,  # noqa: F401
                                       CustomerSummary, _finish_report, _source_name, _timestamp, _unit_days,
                                       bad_rows_error)


def open_source(path, *, sheet=None):
    """Return something :func:`summarize` can read: a Path for CSV/Parquet, a DataFrame otherwise.

    CSV and Parquet files, folders of them, globs and remote paths (``hdfs://``, ``s3a://``) are
    left to the engine (streamed, larger than memory).  Excel workbooks (sheet ``sheet``) and CSV
    files that are not UTF-8 (GBK exports) are read by the project reader; the frame carries the
    file's name (``attrs["file"]``) so errors name its rows as numbered in the file.
    The whitespace-separated CDNOW files use the project loaders; other
    ``.txt`` files are read with pandas (whitespace separated, with header).
    """
    from crmlab.core import datasets
    from crmlab.core.results import note_input
    from crmlab.engine import _is_glob, _is_remote

    text = str(path)
    if _is_remote(text) or _is_glob(text):  # hdfs://, s3a://, or a pattern: the engine reads them
        return text
    for base in ([Path(text)] if Path(text).is_absolute() else [Path.cwd() / text, datasets.project_root() / text,
                                                                    datasets.data_dir() / text]):
        if base.is_dir():  # a folder of Parquet/CSV files (e.g. hive partitions)
            return base.resolve()
    p = datasets.resolve_path(path)
    suffix = p.suffix.lower()

    def framed(df, first_row=2):
        df.attrs.update(file=p.name, first_row=first_row)
        note_input(p)
        return df

    if p.stat().st_size == 0:
        raise DataError(f"file {p.name} is empty: no transactions (parameter transactions)")
    if suffix in (".xlsx", ".xlsm", ".xls"):
        return framed(datasets.read_table(p, sheet=sheet))
    if suffix in (".csv", ".tsv"):
        head = p.open("rb").read(1 << 16)
        try:
            codecs.getincrementaldecoder("utf-8")().decode(head, final=False)
        except UnicodeDecodeError:  # e.g. GBK: DuckDB reads UTF-8 only, the project reader sniffs encodings
            return framed(datasets.read_table(p))
    if suffix in (".csv", ".tsv", ".parquet", ".pq", ".gz"):
        note_input(p)  # the runner hashes inputs into the manifest
        return p
    name = p.name.lower()
    if name == "cdnow_sample.txt":
        return framed(datasets.load_cdnow_sample(p), first_row=1)
    if name == "cdnow_master.txt":
        return framed(datasets.load_cdnow_master(p))
    try:
        return framed(pd.read_csv(p, sep=r"\s+"))
    except Exception as exc:  # pragma: no cover - depends on the file
        raise DataError(f"cannot read transaction log {p.name}: {exc}") from exc

_RULE_DOC = """
    order_col : str, optional
        Order id column: refunds net against their order, and an order's rows are one purchase.
    status_col : str, optional
        Order status column; rows whose status is in ``exclude_status`` are not purchases.
    exclude_status : sequence of str
        Status values that are not purchases (trimmed, case-insensitive; default
        :data:`~crmlab.transactions.common.EXCLUDE_STATUS`).
    attributes : sequence of str
        Further columns to carry per customer (e.g. covariates such as the acquisition channel): each
        customer's value on the first purchase day (the smallest, when several).
    opportunity_days : float, optional
        Add the discrete-time view of each customer (``bgbb_*`` columns, for the BG/BB model): periods of
        this many days from the first purchase.
"""


def summarize(source, *, customer_col: str = "customer_id", date_col: str = "date",
              amount_col: str = "amount", calibration_end, holdout_end=None,
              time_unit="weeks", date_format: str | None = None, returns: str = "net",
              duplicates: str = "keep", after_holdout: str = "drop", start=None,
              engine: str = "duckdb", period_counts: bool = True,
              memory_limit: str | None = None, spark_master=None, order_col: str | None = None,
              status_col: str | None = None, exclude_status=EXCLUDE_STATUS, attributes=(),
              opportunity_days: float | None = None) -> CustomerSummary:
    """Summarise a transaction log per customer for a calibration period and a holdout.

    Parameters
    ----------
    source : str, Path or DataFrame
        CSV or Parquet file, a folder of them or a glob (read by the engine without
        loading it into pandas), or a DataFrame.
    customer_col, date_col, amount_col : str
        Column names in the log.
    calibration_end, holdout_end : date-like
        Inclusive end dates; ``holdout_end=None`` means no holdout.
    time_unit : {"weeks", "days", "months"} or float
        Unit of ``recency``, ``T`` and ``duration_holdout`` (float = days).
    date_format : str, optional
        strftime format of the date column (e.g. ``"%Y%m%d"``); ISO dates need none.
    returns, duplicates, after_holdout : str
        Rules for negative amounts (``"net"``, ``"drop"``, ``"error"``), duplicate rows and transactions
        after the holdout (see the module docstring).
    start : date-like, optional
        Origin of the period grid of ``period_counts`` (default: first purchase in the log).
    engine : {"duckdb", "spark", "pandas"}
        ``"duckdb"`` and ``"spark"`` run the same SQL (:mod:`crmlab.transactions.sql`).
    memory_limit : str, optional
        DuckDB memory limit such as ``"4GB"`` (it spills to disk beyond).
    spark_master : str, optional
        Spark master URL (default ``SPARK_REMOTE`` or ``local[*]``), a Spark Connect
        address ``sc://host:port``, or a ``SparkSession``; see :func:`crmlab.engine.spark_session`.
    order_col, status_col, exclude_status, attributes, opportunity_days
        See below.
    """ + _RULE_DOC + """
    Returns
    -------
    CustomerSummary
        The whole table on the driver; for logs with more customers than the driver should
        hold use :func:`summarize_in_engine`.

    Notes
    -----
    See the module docstring for the definitions (Fader, Hardie & Lee 2005,
    "Counting your customers the easy way", Marketing Science 24(2)).
    """
    kwargs = _arguments(source, customer_col=customer_col, date_col=date_col, amount_col=amount_col,
                        calibration_end=calibration_end, holdout_end=holdout_end, time_unit=time_unit,
                        date_format=date_format, returns=returns, duplicates=duplicates,
                        after_holdout=after_holdout, start=start, engine=engine, period_counts=period_counts,
                        order_col=order_col, status_col=status_col, exclude_status=exclude_status,
                        attributes=attributes, opportunity_days=opportunity_days)
    if engine == "pandas":
        from crmlab.transactions.pandas_path import summarize_pandas

        table, report, counts, origin = summarize_pandas(source, **kwargs)
        _check_cohort(len(table), kwargs["cal"])
        table.index.name = "customer_id"
        return CustomerSummary(table=table, report=report, calibration_end=kwargs["cal"], holdout_end=kwargs["hold"],
                               time_unit_days=kwargs["unit"], start=origin, period_counts=counts)
    es = _run_sql(source, kwargs, engine=engine, memory_limit=memory_limit, spark_master=spark_master)
    try:
        return es.to_customer_summary()
    finally:
        es.close()


def summarize_in_engine(source, *, customer_col: str = "customer_id", date_col: str = "date",
                        amount_col: str = "amount", calibration_end, holdout_end=None, time_unit="weeks",
                        date_format: str | None = None, returns: str = "net", duplicates: str = "keep",
                        after_holdout: str = "drop", start=None, engine: str = "duckdb",
                        period_counts: bool = True, memory_limit: str | None = None, spark_master=None,
                        order_col: str | None = None, status_col: str | None = None,
                        exclude_status=EXCLUDE_STATUS, attributes=(), opportunity_days: float | None = None):
    """Like :func:`summarize` (same arguments and rules) but the per-customer table stays in the engine.

    Returns an :class:`~crmlab.transactions.sql.EngineSummary`: the data-rules ``report`` and
    ``period_counts`` on the driver, the table as engine table ``.name``, ready for
    :func:`crmlab.clv.scoring.fit_models` and :func:`crmlab.clv.scoring.score_customers`.
    Call ``.close()`` when done (``.to_customer_summary()`` collects it).  ``engine`` may
    also be an engine object from :func:`crmlab.engine.connect` (reused, not closed).
    """
    kwargs = _arguments(source, customer_col=customer_col, date_col=date_col, amount_col=amount_col,
                        calibration_end=calibration_end, holdout_end=holdout_end, time_unit=time_unit,
                        date_format=date_format, returns=returns, duplicates=duplicates,
                        after_holdout=after_holdout, start=start,
                        engine=engine if isinstance(engine, str) else "duckdb", period_counts=period_counts,
                        order_col=order_col, status_col=status_col, exclude_status=exclude_status,
                        attributes=attributes, opportunity_days=opportunity_days)
    if engine == "pandas":
        raise ParameterError("summarize_in_engine needs engine='duckdb' or 'spark'; use summarize for pandas")
    return _run_sql(source, kwargs, engine=engine, memory_limit=memory_limit, spark_master=spark_master)


def _arguments(source, *, customer_col, date_col, amount_col, calibration_end, holdout_end, time_unit, date_format,
               returns, duplicates, after_holdout, start, engine, period_counts, order_col, status_col,
               exclude_status, attributes, opportunity_days) -> dict:
    unit = _unit_days(time_unit)
    cal = _timestamp(calibration_end, "calibration_end")
    hold = None if holdout_end is None else _timestamp(holdout_end, "holdout_end")
    if hold is not None and hold <= cal:
        raise ParameterError(f"holdout_end ({hold.date()}) must be after calibration_end ({cal.date()})")
    for name, val, ok in (("returns", returns, RETURNS),
                          ("duplicates", duplicates, ("keep", "drop", "error")),
                          ("after_holdout", after_holdout, ("drop", "error")), ("engine", engine, ENGINES)):
        if val not in ok:
            raise ParameterError(f"{name} must be one of {ok}; got {val!r}")
    attributes = (attributes,) if isinstance(attributes, str) else tuple(attributes or ())
    taken = {customer_col, date_col, amount_col, order_col, status_col}
    clash = [a for a in attributes if a in taken]
    if clash:
        raise ParameterError(f"attributes {clash} are already the customer, date, amount, order or status column")
    from crmlab.transactions.common import BGBB_COLUMNS

    clash = [a for a in attributes if a in _COLUMNS or a in BGBB_COLUMNS or a == "customer_id"]
    if clash:
        raise ParameterError(f"attributes {clash} share a name with a column of the customer summary; rename them")
    if opportunity_days is not None and not (float(opportunity_days) >= 1):
        raise ParameterError(f"opportunity_days must be at least 1 day; got {opportunity_days!r}")
    if isinstance(exclude_status, str):
        exclude_status = (exclude_status,)
    if not isinstance(source, pd.DataFrame) and Path(source).exists():
        from crmlab.core.results import note_input

        note_input(source)
    return dict(customer_col=customer_col, date_col=date_col, amount_col=amount_col, cal=cal, hold=hold,
                unit=unit, date_format=date_format, returns=returns, duplicates=duplicates,
                after_holdout=after_holdout, start=None if start is None else _timestamp(start, "start"),
                period_counts=period_counts, order_col=order_col or None, status_col=status_col or None,
                exclude_status=tuple(exclude_status or ()), attributes=attributes,
                opportunity_days=None if opportunity_days is None else float(opportunity_days))


def _check_cohort(n: int, cal):
    if n == 0:
        raise DataError(f"no customer made a first purchase on or before calibration_end ({cal.date()}) once "
                        "refunded purchases are removed; set calibration_end later (parameter calibration_end)")


def _run_sql(source, kwargs, *, engine, memory_limit, spark_master):
    from crmlab import engine as engines
    from crmlab.transactions.sql import summarize_sql

    owns = isinstance(engine, str)
    eng = engines.connect(engine, spark_master=spark_master, memory_limit=memory_limit) if owns else engine
    try:
        es = summarize_sql(eng, source, owns_engine=owns, **kwargs)
        _check_cohort(es.n_customers, kwargs["cal"])
    except BaseException:
        if owns:
            eng.close()
        raise
    return es
