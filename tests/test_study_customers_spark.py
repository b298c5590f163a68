"""Study 3 on Apache Spark (issue #13): ``crmlab run ... -p engine=spark`` gives the results.json of the DuckDB
run except the ``engine`` field (reference: the DuckDB run of the same notebook and parameters; the summary
is bit-identical, so every later number is too). One Spark session (local[2], in the notebook's kernel).
Skipped without PySpark or Java; run with the worktree on ``PYTHONPATH`` when the installed crmlab is another
checkout.
"""
import json
import os
import shutil

import pytest

from tests.conftest import crmlab_cli

pytest.importorskip("pyspark")
if shutil.which("java") is None and not os.environ.get("JAVA_HOME"):
    pytest.skip("Spark needs Java 17 (openjdk-17-jre-headless)", allow_module_level=True)

pytestmark = pytest.mark.slow


def test_study_3_on_spark_gives_the_duckdb_results_except_the_engine(tmp_path):
    runs = {}
    for engine in ("duckdb", "spark"):
        out = tmp_path / engine
        proc = crmlab_cli("run", "segmentation_clv", "--quick", "--out", str(out), "--no-progress",
                          "-p", f"engine={engine}", "-p", "spark_master=local[2]", "-p", "interval_draws=20",
                          timeout=900)
        assert proc.returncode == 0, proc.stdout + proc.stderr
        runs[engine] = json.loads(next(out.rglob("results.json")).read_text())
    eng = {k: runs[k].pop("engine") for k in runs}
    assert eng["spark"]["name"] == "spark" and eng["spark"]["spark_master"] == "local[2]"
    assert eng["duckdb"]["name"] == "duckdb" and not eng["spark"]["customers_in_engine"]
    assert runs["spark"] == runs["duckdb"]
    assert runs["duckdb"]["summary"]["customers"] == 2357
