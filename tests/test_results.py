"""results.json, tables and figures written by crmlab.record / save_table / save_figure."""
import json
import math

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
import pytest  # noqa: E402

import crmlab  # noqa: E402
from crmlab.core.results import read_results, to_jsonable  # noqa: E402


def test_record_nests_dotted_keys_and_replaces():
    crmlab.record("pls.paths", {"SAT~QUAL": np.float64(0.5)})
    crmlab.record("pls.r2", {"SAT": 0.4})
    crmlab.record("pls.paths", {"SAT~QUAL": 0.6})
    crmlab.record("n", np.int64(250))
    res = read_results()
    assert res == {"pls": {"paths": {"SAT~QUAL": 0.6}, "r2": {"SAT": 0.4}}, "n": 250}
    text = (crmlab.output_dir() / "results.json").read_text()
    assert json.loads(text) == res and "NaN" not in text


def test_to_jsonable_handles_numpy_pandas_and_missing():
    out = to_jsonable({"a": np.array([1, 2]), "b": pd.Series({"x": 1.5}), "c": np.nan, "d": math.inf,
                       "e": np.bool_(True), "f": pd.NA, "g": pd.Timestamp("1997-09-30")})
    assert out == {"a": [1, 2], "b": {"x": 1.5}, "c": None, "d": None, "e": True, "f": None,
                   "g": "1997-09-30T00:00:00"}
    with pytest.raises(TypeError, match="cannot store"):
        to_jsonable(object())


@pytest.mark.parametrize("key", ["", "a..b", ".a", 3])
def test_record_rejects_bad_keys(key):
    with pytest.raises(ValueError):
        crmlab.record(key, 1)


def test_save_table_is_byte_identical_for_identical_input():
    df = pd.DataFrame({"x": [0.1 + 0.2, 1 / 3], "y": ["a", "b"]}, index=pd.Index(["r1", "r2"], name="row"))
    p1 = crmlab.save_table(df, "t")
    first = p1.read_bytes()
    crmlab.save_table(df.copy(), "t")
    assert p1.read_bytes() == first
    assert first.decode().splitlines()[0] == "row,x,y"
    plain = crmlab.save_table(pd.DataFrame({"x": [1]}), "plain")
    assert plain.read_text() == "x\n1\n"


def test_save_figure_writes_png():
    fig, ax = plt.subplots()
    ax.plot([0, 1], [0, 1])
    path = crmlab.save_figure(fig, "line")
    assert path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    plt.close(fig)
