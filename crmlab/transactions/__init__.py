"""Transaction log -> customer summary (frequency, recency, T, monetary value).

See :mod:`crmlab.transactions.summary` for the rules; :mod:`crmlab.transactions.sql` holds
the one set of SQL queries DuckDB and Spark both run.
"""

from crmlab.transactions.summary import (
                                         ENGINES,
                                         TIME_UNITS,
                                         CustomerSummary,
                                         bad_rows_error,
                                         open_source,
                                         summarize,
                                         summarize_in_engine,
)

__all__ = [
                                         "ENGINES",
                                         "TIME_UNITS",
                                         "CustomerSummary",
                                         "bad_rows_error",
                                         "open_source",
                                         "summarize",
                                         "summarize_in_engine",
]
