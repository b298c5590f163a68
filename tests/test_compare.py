"""Comparing headline figures between runs (crmlab compare)."""
import json

import pandas as pd
import pytest

from crmlab.run.compare import compare_runs, flatten, previous_run, resolve_run
from crmlab.core.errors import ParameterError
from tests.conftest import crmlab_cli


def _run(folder, studies):
    folder.mkdir(parents=True)
    (folder / "manifest.json").write_text("{}")
    for name, res in studies.items():
        (folder / name).mkdir()
        (folder / name / "results.json").write_text(json.dumps(res))
    return folder


def test_flatten_numeric_leaves():
    assert flatten({"a": {"b": 1, "c": "x", "d": True}, "e": [2.5, {"f": 3}]}) == {"a.b": 1.0, "e.0": 2.5, "e.1.f": 3.0}


def test_compare_lists_changes_new_and_dropped_keys(tmp_path):
    a = _run(tmp_path / "20261001T000000Z-aaaaaaa", {"s1": {"nps": {"score": 20.0}, "n": 100, "old": 1},
                                                       "only_a": {"x": 1}})
    b = _run(tmp_path / "20261101T000000Z-bbbbbbb", {"s1": {"nps": {"score": 25.0}, "n": 100, "new": 2}})
    t = compare_runs(a, b)
    rows = {r.key: r for r in t.itertuples()}
    assert set(rows) == {"nps.score", "old", "new"}  # unchanged n left out, only_a not in both
    assert rows["nps.score"].change == 5.0 and rows["nps.score"].pct_change == 25.0
    assert pd.isna(rows["old"].after) and pd.isna(rows["new"].before) and pd.isna(rows["new"].change)
    assert len(compare_runs(a, b, changed_only=False)) == 4
    assert previous_run(tmp_path, b.name) == a and previous_run(tmp_path, a.name) is None
    assert resolve_run(a.name, outputs=tmp_path) == a
    with pytest.raises(ParameterError, match="no run found"):
        resolve_run(tmp_path / "nosuch")


def test_compare_command(tmp_path):
    a = _run(tmp_path / "a", {"s": {"v": 1.0}})
    b = _run(tmp_path / "b", {"s": {"v": 1.5}})
    out = tmp_path / "cmp.csv"
    proc = crmlab_cli("compare", str(a), str(b), "--csv", str(out))
    assert proc.returncode == 0, proc.stderr
    assert "1 headline figure(s) changed" in proc.stdout and "0.5" in proc.stdout
    assert out.read_text().splitlines()[1] == "s,v,1.0,1.5,0.5,50.0"


def test_index_page_shows_what_moved_since_the_previous_run(tmp_path):
    from crmlab.run.runner import render_index

    a = _run(tmp_path / "20261001T000000Z-aaaaaaa", {"s1": {"nps": {"score": 20.0}}})
    b = _run(tmp_path / "20261101T000000Z-bbbbbbb", {"s1": {"nps": {"score": 25.0}}})
    manifest = {"run_id": b.name, "started": "s", "finished": "f", "status": "ok",
                "git": {"commit": "c", "dirty": False}, "notebooks": []}
    page = render_index(manifest, (a.name, compare_runs(a, b)))
    assert "Since the previous run" in page and a.name in page
    assert ('<td>nps.score</td><td class="num">20</td><td class="num">25</td><td class="num">5</td>'
            '<td class="num">+25.0%</td>') in page
    assert "Since the previous run" not in render_index(manifest)


def test_index_page_is_in_the_runs_language_with_readable_numbers():
    from crmlab.run.index import render_index

    study = {"name": "s", "notebook": "notebooks/s.ipynb", "status": "ok", "duration_s": 1.0, "lang": "zh",
             "title": "研究 1：满意度", "headline": {"clv.total": 72439.123, "logrank.p": 0.0, "x.small": 6.4e-5}}
    manifest = {"run_id": "r", "started": "2026-11-29T00:00:00", "finished": "f", "status": "ok",
                "git": {"commit": "c", "dirty": False}, "notebooks": [study]}
    page = render_index(manifest)
    assert '<html lang="zh-CN">' in page and "2026-11-29 的研究运行" in page and "研究 1：满意度" in page
    assert "<dd>72,439</dd>" in page and "<dd>&lt; 0.001</dd>" in page and "<dd>0.0000640</dd>" in page
    assert "e+0" not in page and "e-0" not in page  # no scientific notation
    english = render_index({**manifest, "notebooks": [{**study, "lang": "en"}]})
    assert '<html lang="en">' in english and "Research run of 2026-11-29" in english


def test_headline_picks_declared_keys_in_order_or_the_first_numbers():
    from crmlab.run.runner import headline

    res = {"a": {"b": 1, "c": "text"}, "d": 2.5, "e": [3, 4], "f": 5, "g": 6, "h": 7, "i": 8}
    assert headline(res, ["d", "a.b", "missing"]) == {"d": 2.5, "a.b": 1}
    assert list(headline(res)) == ["a.b", "d", "e.0", "e.1", "f", "g"]
