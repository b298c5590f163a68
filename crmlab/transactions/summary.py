"""Transaction log -> customer summary (frequency, recency, T, monetary value).

The default engine is DuckDB SQL run directly over a CSV or Parquet file, a
folder of them, a glob or a registered DataFrame, so logs larger than memory
work; ``engine="spark"`` runs the same SQL text (transpiled by sqlglot, see
:mod:`crmlab.engine`) on Apache Spark, locally or on a cluster;
``engine="pandas"`` does the same in pandas for small frames.  All follow
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
from pathlib import Path

import pandas as pd

from crmlab.core.errors import DataError, ParameterError

__all__ = ["ENGINES", "TIME_UNITS", "CustomerSummary", "open_source", "summarize", "summarize_in_engine"]

#: engines of :func:`summarize`
from crmlab.transactions.common import (_COLUMNS, ENGINES, TIME_UNITS, CustomerSummary, _finish_report,  # noqa: F401
                                       _source_name, _timestamp, _unit_days, bad_rows_error)


def open_source(path):
    """Return something :func:`summarize` can read: a Path for CSV/Parquet, a DataFrame otherwise.

    CSV and Parquet files, folders of them, globs and remote paths (``hdfs://``, ``s3a://``) are
    left to the engine (streamed, larger than memory).
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
              memory_limit: str | None = None, spark_master=None) -> CustomerSummary:
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
        Rules for negative amounts, duplicate rows and transactions after
        the holdout (see the module docstring).
    start : date-like, optional
        Origin of the period grid of ``period_counts`` (default: first date in the log).
    engine : {"duckdb", "spark", "pandas"}
        ``"duckdb"`` and ``"spark"`` run the same SQL (:mod:`crmlab.transactions.sql`).
    memory_limit : str, optional
        DuckDB memory limit such as ``"4GB"`` (it spills to disk beyond).
    spark_master : str, optional
        Spark master URL (default ``SPARK_REMOTE`` or ``local[*]``), a Spark Connect
        address ``sc://host:port``, or a ``SparkSession``; see :func:`crmlab.engine.spark_session`.

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
                        after_holdout=after_holdout, start=start, engine=engine, period_counts=period_counts)
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
                        date_format: str | None = None, returns: str = "drop", duplicates: str = "keep",
                        after_holdout: str = "drop", start=None, engine: str = "duckdb",
                        period_counts: bool = True, memory_limit: str | None = None, spark_master=None):
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
                        engine=engine if isinstance(engine, str) else "duckdb", period_counts=period_counts)
    if engine == "pandas":
        raise ParameterError("summarize_in_engine needs engine='duckdb' or 'spark'; use summarize for pandas")
    return _run_sql(source, kwargs, engine=engine, memory_limit=memory_limit, spark_master=spark_master)

def _arguments(source, *, customer_col, date_col, amount_col, calibration_end, holdout_end, time_unit, date_format,
               returns, duplicates, after_holdout, start, engine, period_counts) -> dict:
    unit = _unit_days(time_unit)
    cal = _timestamp(calibration_end, "calibration_end")
    hold = None if holdout_end is None else _timestamp(holdout_end, "holdout_end")
    if hold is not None and hold <= cal:
        raise ParameterError(f"holdout_end ({hold.date()}) must be after calibration_end ({cal.date()})")
    for name, val, ok in (("returns", returns, ("drop", "error")),
                          ("duplicates", duplicates, ("keep", "drop", "error")),
                          ("after_holdout", after_holdout, ("drop", "error")), ("engine", engine, ENGINES)):
        if val not in ok:
            raise ParameterError(f"{name} must be one of {ok}; got {val!r}")
    if not isinstance(source, pd.DataFrame) and Path(source).exists():
        from crmlab.core.results import note_input

        note_input(source)
    return dict(customer_col=customer_col, date_col=date_col, amount_col=amount_col, cal=cal, hold=hold,
                unit=unit, date_format=date_format, returns=returns, duplicates=duplicates,
                after_holdout=after_holdout, start=None if start is None else _timestamp(start, "start"),
                period_counts=period_counts)

def _check_cohort(n: int, cal):
    if n == 0:
        raise DataError(f"no customer made a first purchase on or before calibration_end ({cal.date()}); "
                        "check calibration_end and the date column")

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
