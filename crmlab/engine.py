"""Query engines for customer-level computations: DuckDB (default, in process) and Apache Spark.

Every query in crmlab's engine code is written once, in DuckDB's SQL dialect.
:class:`DuckDBEngine` runs the text as it is; :class:`SparkEngine` transpiles it to
Spark SQL with sqlglot (plus one rewrite sqlglot lacks: ``try_strptime`` ->
``try_to_timestamp`` with the format translated), so there is no second copy of
any logic.  Both engines expose the same small interface:

* ``register_source(name, source)``: a CSV/Parquet file, a folder of files, a glob or a
  pandas DataFrame as a view; returns the column kinds;
* ``view(name, sql)`` (lazy) and ``table(name, sql)`` (materialised: a DuckDB temp table,
  a persisted Spark DataFrame);
* ``query(sql)`` -> small pandas DataFrame, ``row(sql)`` -> tuple;
* ``map_batches(name, sql, fn, schema)``: apply a pandas function to the rows of a query
  batch by batch, where the data is (DuckDB: Arrow record batches; Spark: ``mapInPandas``);
* ``register_udf(name, fn, ...)``: a vectorised Python function callable from SQL;
* ``write_parquet(sql, path, partition_by)``.

Spark sessions come from :func:`spark_session`: ``spark_master`` is a master URL
(``local[*]`` by default, ``spark://host:7077``, ``yarn``...), a Spark Connect address
``sc://host:15002``, or taken from the ``SPARK_REMOTE`` environment variable.
"""

from __future__ import annotations

import glob as _glob
import os
import re
import shutil
import sys
import tempfile
import uuid
import zipfile
from pathlib import Path

import pandas as pd

from crmlab.core.errors import DataError, ParameterError

__all__ = ["ENGINES", "DuckDBEngine", "SparkEngine", "connect", "source_files", "spark_session", "to_spark_sql"]

ENGINES = ("duckdb", "spark")

_PARQUET = (".parquet", ".pq")
_TEXT = (".csv", ".tsv", ".gz", ".txt")


def _is_glob(text: str) -> bool:
    return any(ch in text for ch in "*?[")


def _is_remote(text: str) -> bool:
    return bool(re.match(r"^[a-zA-Z][a-zA-Z0-9+.-]*://", text))


def source_files(source) -> tuple[str, str]:
    """Resolve a path, folder or glob to ``(path, format)``; format is ``"parquet"`` or ``"csv"``.

    A folder stands for every Parquet (or, failing that, CSV) file below it, so a
    hive-partitioned data set written by Spark or DuckDB is read whole.
    """
    text = str(source)
    if _is_remote(text):  # hdfs://, s3a://: only the engine can list them
        low = text.lower().rstrip("/")
        return text, "csv" if low.endswith(_TEXT) else "parquet"
    p = Path(text)
    if _is_glob(text):
        hits = sorted(_glob.glob(text, recursive=True))
        if not hits:
            raise DataError(f"transaction log {text}: no file matches this pattern")
        fmt = "parquet" if Path(hits[0]).suffix.lower() in _PARQUET else "csv"
        return text, fmt
    if p.is_dir():
        for fmt, exts in (("parquet", _PARQUET), ("csv", (".csv",))):
            for ext in exts:
                if any(p.rglob(f"*{ext}")):
                    return str(p), fmt
        raise DataError(f"transaction log folder {p} holds no .parquet or .csv file")
    if not p.exists():
        raise DataError(f"transaction log {p} does not exist")
    return str(p), "parquet" if p.suffix.lower() in _PARQUET else "csv"


def connect(engine: str = "duckdb", *, spark_master=None, memory_limit: str | None = None,
            driver_memory: str = "4g"):
    """Open an engine by name: ``"duckdb"`` or ``"spark"`` (see :func:`spark_session` for ``spark_master``)."""
    if engine == "duckdb":
        return DuckDBEngine(memory_limit=memory_limit)
    if engine == "spark":
        return SparkEngine(spark_master, driver_memory=driver_memory)
    raise ParameterError(f"engine must be one of {ENGINES}; got {engine!r}")


def engine_info(engine: str = "duckdb", spark_master=None) -> dict:
    """What ran the study, for ``results.json``: ``{"name", "version", "spark_master"}`` (starts nothing)."""
    if engine == "spark":
        import pyspark

        master = spark_master if isinstance(spark_master, str) or spark_master is None else "session"
        return {"name": "spark", "version": pyspark.__version__,
                "spark_master": master or os.environ.get("SPARK_REMOTE") or "local[*]"}
    if engine == "duckdb":
        import duckdb

        return {"name": "duckdb", "version": duckdb.__version__, "spark_master": None}
    return {"name": engine, "version": pd.__version__ if engine == "pandas" else None, "spark_master": None}


# ---------------------------------------------------------------------------------------------
# DuckDB

def _duck_kind(type_name: str) -> str:
    t = type_name.upper()
    if t.startswith("DATE"):
        return "date"
    if t.startswith("TIMESTAMP"):
        return "timestamp"
    if t in ("VARCHAR", "STRING") or t.startswith("VARCHAR"):
        return "text"
    return "number" if t in ("TINYINT", "SMALLINT", "INTEGER", "BIGINT", "HUGEINT", "UTINYINT", "USMALLINT",
                             "UINTEGER", "UBIGINT", "FLOAT", "DOUBLE") or t.startswith("DECIMAL") else "other"


class DuckDBEngine:
    """In-process DuckDB; spills to the temp folder when ``memory_limit`` is reached."""

    name = "duckdb"

    def __init__(self, memory_limit: str | None = None, threads: int | None = None):
        import duckdb

        self._duckdb = duckdb
        self.con = duckdb.connect(config={"temp_directory": tempfile.gettempdir()})
        try:  # quiet in scripts; in Jupyter DuckDB refuses the setting without ipywidgets (and shows no bar)
            self.con.execute("SET enable_progress_bar = false")
        except duckdb.Error:
            pass
        self.con.execute("SET preserve_insertion_order = false")  # faster temp tables; results are ORDERed
        if memory_limit:
            self.con.execute(f"SET memory_limit = '{memory_limit}'")
        if threads:
            self.con.execute(f"SET threads = {int(threads)}")
        self._frames = []

    def describe(self) -> str:
        return f"duckdb {self._duckdb.__version__}"

    def register_source(self, name: str, source, *, full_sniff: bool = False, text_columns=()) -> dict:
        """A file, folder, glob or DataFrame as view ``name``; returns the column kinds.

        ``full_sniff``: guess CSV column types from every row, not from a sample (a repeated header line
        far into a concatenated export makes a sampled guess fail). ``text_columns``: CSV columns read as
        text, left to the caller's parsing (DuckDB's date guess can take a format from one row and then
        fail on ISO dates)."""
        csv = None
        if isinstance(source, pd.DataFrame):
            frame = _spark_ready(source)
            self.con.register(f"{name}_frame", frame)
            self._frames.append(frame)
            rel = f"{name}_frame"
        else:
            pattern, fmt = source_files(source)
            if Path(pattern).is_dir():
                pattern = str(Path(pattern) / "**" / ("*.parquet" if fmt == "parquet" else "*.csv"))
            lit = pattern.replace("'", "''")
            sniff = ", sample_size=-1" if full_sniff else ""
            csv = f"read_csv('{lit}', auto_detect=true, header=true{sniff}"
            rel = f"read_parquet('{lit}', union_by_name=true)" if fmt == "parquet" else csv + ")"
            csv = None if fmt == "parquet" else csv
        try:
            self.con.execute(f"CREATE OR REPLACE TEMP VIEW {name} AS SELECT * FROM {rel}")
            types = self.con.execute(f"DESCRIBE SELECT * FROM {name}").fetchall()
            text = [c for c in text_columns if c in {r[0] for r in types}]
            if csv is not None and text:
                listed = ", ".join("'" + c.replace("'", "''") + "': 'VARCHAR'" for c in text)
                self.con.execute(f"CREATE OR REPLACE TEMP VIEW {name} AS SELECT * FROM {csv}, types={{{listed}}})")
                types = self.con.execute(f"DESCRIBE SELECT * FROM {name}").fetchall()
        except self._duckdb.Error as exc:
            first = str(exc).strip().splitlines()[0]
            raise DataError(f"cannot read {_source_name(source)}: {first}") from None
        return {r[0]: _duck_kind(r[1]) for r in types}

    def view(self, name: str, sql: str, *, partition_key: str | None = None):
        self.con.execute(f"CREATE OR REPLACE TEMP VIEW {name} AS {sql}")

    def table(self, name: str, sql: str):
        self.con.execute(f"CREATE OR REPLACE TEMP TABLE {name} AS {sql}")

    def query(self, sql: str) -> pd.DataFrame:
        return self.con.execute(sql).df()

    def row(self, sql: str) -> tuple:
        rows = self.con.execute(sql).fetchall()
        return rows[0] if rows else None

    def fetch_numpy(self, sql: str) -> dict:
        return self.con.execute(sql).fetchnumpy()

    def drop(self, *names: str):
        for n in names:
            for kind in ("VIEW", "TABLE"):
                try:
                    self.con.execute(f"DROP {kind} IF EXISTS {n}")
                except self._duckdb.Error:
                    pass

    def map_batches(self, name: str, sql: str, fn, schema: dict, *, batch_rows: int = 200_000):
        """``name`` = table of ``fn(batch)`` over the rows of ``sql`` (``schema``: column -> SQL type).

        The input rows are read as Arrow first (one connection cannot stream and insert at once): meant
        for inputs of bounded size such as the unique (x, t_x, T) rows.
        """
        import pyarrow as pa

        reader = self.con.sql(sql).to_arrow_table().to_batches(batch_rows)
        cols = ", ".join(f'"{c}" {t}' for c, t in schema.items())
        self.con.execute(f"CREATE OR REPLACE TEMP TABLE {name} ({cols})")
        for batch in reader:
            out = fn(batch.to_pandas())
            arrow = pa.Table.from_pandas(out[list(schema)], preserve_index=False)
            self.con.register("_crm_batch", arrow)
            self.con.execute(f"INSERT INTO {name} SELECT * FROM _crm_batch")
            self.con.unregister("_crm_batch")

    def register_udf(self, name: str, fn, arg_type: str, return_type: str = "VARCHAR"):
        """A vectorised Python function ``fn(pandas.Series) -> pandas.Series`` callable from SQL."""
        import pyarrow as pa

        def arrow_fn(arr):
            return pa.array(fn(arr.to_pandas()).to_numpy(dtype=object), type=pa.string())

        try:
            self.con.remove_function(name)
        except Exception:  # not registered yet
            pass
        self.con.create_function(name, arrow_fn, [self._duckdb.sqltype(arg_type)],
                                 self._duckdb.sqltype(return_type), type="arrow", side_effects=False)

    def write_parquet(self, sql: str, path, *, partition_by=()):
        lit = str(path).replace("'", "''")
        part = f", PARTITION_BY ({', '.join(partition_by)}), OVERWRITE_OR_IGNORE true" if partition_by else ""
        if Path(path).exists():
            shutil.rmtree(path) if Path(path).is_dir() else Path(path).unlink()
        self.con.execute(f"COPY ({sql}) TO '{lit}' (FORMAT PARQUET{part})")

    def close(self):
        self.con.close()


def _source_name(source) -> str:
    return "the DataFrame" if isinstance(source, pd.DataFrame) else f"file {source}"


# ---------------------------------------------------------------------------------------------
# Spark

_TRANSPILED: dict[str, str] = {}


def to_spark_sql(sql: str) -> str:
    """Transpile DuckDB-dialect SQL to Spark SQL (sqlglot, plus ``try_strptime`` -> ``try_to_timestamp``)."""
    hit = _TRANSPILED.get(sql)
    if hit is not None:
        return hit
    import sqlglot
    from sqlglot import exp

    tree = sqlglot.parse_one(sql, read="duckdb")

    def fix(node):
        if isinstance(node, exp.Anonymous) and node.name.lower() == "try_strptime":
            value, fmt = node.expressions
            conv = sqlglot.parse_one(f"strptime(x, {fmt.sql('duckdb')})", read="duckdb").sql("spark")
            spark_fmt = re.search(r"TO_TIMESTAMP\(x, ('(?:[^']|'')*')\)", conv).group(1)
            return exp.Anonymous(this="try_to_timestamp", expressions=[value, sqlglot.parse_one(spark_fmt)])
        return node

    out = tree.transform(fix).sql("spark")
    _TRANSPILED[sql] = out
    return out


def _spark_kind(dtype) -> str:
    name = type(dtype).__name__
    if name == "DateType":
        return "date"
    if name.startswith("Timestamp"):
        return "timestamp"
    if name in ("StringType", "VarcharType", "CharType"):
        return "text"
    if name in ("ByteType", "ShortType", "IntegerType", "LongType", "FloatType", "DoubleType", "DecimalType"):
        return "number"
    return "other"


def _package_zip() -> str:
    """A zip of the crmlab package, shipped to Spark's Python workers (same code as the driver)."""
    root = Path(__file__).resolve().parent  # the crmlab package
    out = Path(tempfile.gettempdir()) / f"crmlab_pkg_{os.getpid()}.zip"
    if not out.exists():
        tmp = out.with_suffix(f".{uuid.uuid4().hex[:6]}.tmp")
        with zipfile.ZipFile(tmp, "w", zipfile.ZIP_DEFLATED) as z:
            for f in root.rglob("*.py"):
                z.write(f, Path("crmlab") / f.relative_to(root))
        os.replace(tmp, out)
    return str(out)


def spark_session(spark_master=None, *, driver_memory: str = "4g", app_name: str = "crmlab",
                  config: dict | None = None):
    """Get (or create) the Spark session for ``spark_master``.

    ``spark_master``: ``None`` -> ``SPARK_REMOTE`` if set, else ``local[*]``; ``"sc://host:port"`` ->
    Spark Connect; anything else is a master URL.  A ``SparkSession`` object is returned as is.
    Local sessions get ``driver_memory``, no UI and UTC as session time zone (dates in the log are
    calendar days; the time zone must not move them).  The crmlab package is shipped to the workers.
    """
    try:
        from pyspark.sql import SparkSession
    except ImportError as exc:  # pragma: no cover - depends on the install
        raise ParameterError("engine='spark' needs PySpark: pip install 'crmlab[spark]' "
                             "(and Java 17: apt-get install openjdk-17-jre-headless)") from exc
    if spark_master is not None and not isinstance(spark_master, str):
        spark = spark_master
    else:
        master = spark_master or os.environ.get("SPARK_REMOTE") or "local[*]"
        builder = SparkSession.builder.appName(app_name)
        if master.startswith("sc://"):
            builder = builder.remote(master)
        else:
            if shutil.which("java") is None and not os.environ.get("JAVA_HOME"):
                raise ParameterError("engine='spark' needs Java 17 (apt-get install openjdk-17-jre-headless)")
            builder = builder.master(master)
            if master.startswith("local"):
                # local workers run this very interpreter (its packages); clusters bring their own (docs/spark.md)
                os.environ.setdefault("PYSPARK_PYTHON", sys.executable)
                builder = (builder.config("spark.driver.memory", driver_memory)
                           .config("spark.ui.enabled", "false")
                           .config("spark.ui.showConsoleProgress", "false"))
        config = dict(config or {})
        if master.startswith("local"):
            # a few shuffle partitions per core: Spark's 200 make thousands of tiny tasks on one machine
            m = re.match(r"local\[(\d+|\*)", master)
            cores = (os.cpu_count() or 2) if not m or m.group(1) == "*" else int(m.group(1))
            config.setdefault("spark.sql.shuffle.partitions", str(max(2, 2 * cores)))
        for k, v in config.items():
            builder = builder.config(k, v)
        spark = builder.getOrCreate()
        if not master.startswith("sc://"):
            spark.sparkContext.setLogLevel("ERROR")
    spark.conf.set("spark.sql.session.timeZone", "UTC")
    spark.conf.set("spark.sql.execution.arrow.pyspark.enabled", "true")
    _ship_package(spark)
    return spark


_SHIPPED: set = set()


def _ship_package(spark):
    key = id(spark)
    if key in _SHIPPED:
        return
    path = _package_zip()
    if _is_connect(spark):
        spark.addArtifacts(path, pyfile=True)
    else:
        spark.sparkContext.addPyFile(path)
    _SHIPPED.add(key)


def _is_connect(spark) -> bool:
    return type(spark).__module__.startswith("pyspark.sql.connect")


class SparkEngine:
    """Apache Spark through PySpark (classic or Spark Connect); views are session temp views."""

    name = "spark"

    def __init__(self, spark_master=None, *, driver_memory: str = "4g"):
        self.spark = spark_session(spark_master, driver_memory=driver_memory)
        self._persisted: dict[str, object] = {}
        self._views: list[str] = []

    def describe(self) -> str:
        master = "connect" if _is_connect(self.spark) else self.spark.sparkContext.master
        return f"spark {self.spark.version} ({master})"

    def sql(self, sql: str):
        return self.spark.sql(to_spark_sql(sql))

    def register_source(self, name: str, source, *, full_sniff: bool = False, text_columns=()) -> dict:
        """As :meth:`DuckDBEngine.register_source` (Spark's CSV reader infers types from every row)."""
        from pyspark.errors import PySparkException

        try:
            if isinstance(source, pd.DataFrame):
                df = self.spark.createDataFrame(_spark_ready(source))
            else:
                pattern, fmt = source_files(source)
                reader = self.spark.read
                if Path(pattern).is_dir():  # every file below, partition folders or not
                    reader = reader.option("pathGlobFilter", "*.parquet" if fmt == "parquet" else "*.csv")
                    if not any(c.is_dir() and "=" in c.name for c in Path(pattern).iterdir()):
                        reader = reader.option("recursiveFileLookup", "true")
                df = (reader.parquet(pattern) if fmt == "parquet"
                      else reader.csv(pattern, header=True, inferSchema=True))
        except (PySparkException, TypeError, ValueError) as exc:
            raise DataError(f"cannot read {_source_name(source)}: {exc}") from exc
        df.createOrReplaceTempView(name)
        self._views.append(name)
        return {f.name: _spark_kind(f.dataType) for f in df.schema.fields}

    def view(self, name: str, sql: str, *, partition_key: str | None = None):
        """A temp view; ``partition_key``: hash-partition its rows by this column (one shuffle serves every
        later aggregation by that key)."""
        df = self.sql(sql)
        if partition_key is not None:
            df = df.repartition(partition_key)
        df.createOrReplaceTempView(name)
        self._views.append(name)

    def table(self, name: str, sql: str):
        """Materialise: persisted (memory and disk) and registered as a temp view."""
        self._keep(name, self.sql(sql))

    def _keep(self, name, df):
        from pyspark import StorageLevel

        df = df.persist(StorageLevel.MEMORY_AND_DISK)
        df.createOrReplaceTempView(name)
        self._views.append(name)
        old = self._persisted.pop(name, None)
        if old is not None:
            old.unpersist()
        self._persisted[name] = df

    def query(self, sql: str) -> pd.DataFrame:
        return self.sql(sql).toPandas()

    def row(self, sql: str) -> tuple:
        r = self.sql(sql).collect()
        return tuple(r[0]) if r else None

    def fetch_numpy(self, sql: str) -> dict:
        df = self.query(sql)
        return {c: df[c].to_numpy() for c in df.columns}

    def drop(self, *names: str):
        for n in names:
            df = self._persisted.pop(n, None)
            if df is not None:
                df.unpersist()
            self.spark.catalog.dropTempView(n)

    def map_batches(self, name: str, sql: str, fn, schema: dict, *, batch_rows: int = 200_000):
        ddl = ", ".join(f"`{c}` {_spark_type(t)}" for c, t in schema.items())
        cols = list(schema)

        def run(batches):
            for b in batches:
                yield fn(b)[cols]

        self._keep(name, self.sql(sql).mapInPandas(run, ddl))

    def register_udf(self, name: str, fn, arg_type: str, return_type: str = "VARCHAR"):
        from pyspark.sql.functions import pandas_udf

        self.spark.udf.register(name, pandas_udf(fn, _spark_type(return_type)))

    def write_parquet(self, sql: str, path, *, partition_by=()):
        w = self.sql(sql).write.mode("overwrite")
        if partition_by:
            w = w.partitionBy(*partition_by)
        w.parquet(str(path))

    def close(self):
        for n in list(self._persisted):
            self._persisted.pop(n).unpersist()
        for n in set(self._views):
            try:
                self.spark.catalog.dropTempView(n)
            except Exception:  # the session may be gone
                pass
        self._views.clear()


def _spark_type(sql_type: str) -> str:
    t = sql_type.upper()
    return {"VARCHAR": "string", "DOUBLE": "double", "BIGINT": "bigint", "INTEGER": "int",
            "DATE": "date", "BOOLEAN": "boolean"}.get(t, t.lower())


def _spark_ready(df: pd.DataFrame) -> pd.DataFrame:
    """Object columns of mixed content as strings (an engine needs one type per column); None stays null.

    Both engines register a DataFrame this way, so they read the same values of the same types."""
    mixed = [c for c in df.columns if df[c].dtype == object
             and not df[c].dropna().map(type).eq(str).all()]
    if not mixed:
        return df
    out = df.copy()
    for c in mixed:
        s = out[c]
        out[c] = s.where(s.isna(), s.astype(str)).astype(object)
    return out
