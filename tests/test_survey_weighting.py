"""Raking / post-stratification and weight diagnostics.

References (exact recomputation):
* one margin: raking equals post-stratification, ``w_g = target_g / sample_share_g``;
* two margins on a 2x2 table: the IPF limit keeps the sample odds ratio and
  has the target margins (Deming & Stephan 1940; Bishop, Fienberg & Holland
  1975, ch. 3), solved here in closed form from a quadratic;
* Kish (1965): ``deff = n sum w^2 / (sum w)^2``, ``n_eff = (sum w)^2 / sum w^2``.
"""
from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from crmlab.core.errors import DataError
from crmlab.weighting import load_margins, rake, weight_diagnostics, weighted_vs_unweighted


@pytest.fixture
def sample():
    rng = np.random.default_rng(0)
    return pd.DataFrame({"gender": rng.choice(["f", "m"], 600, p=[0.3, 0.7]),
                         "age": rng.choice(["young", "mid", "old"], 600, p=[0.5, 0.3, 0.2]),
                         "sat": rng.integers(1, 11, 600)})


def test_one_margin_is_post_stratification(sample):
    r = rake(sample, {"gender": {"f": 0.5, "m": 0.5}})
    share = sample["gender"].value_counts(normalize=True)
    expected = sample["gender"].map(0.5 / share)
    np.testing.assert_allclose(r.weights, expected / expected.mean(), rtol=1e-12)
    assert r.converged


def test_two_margins_match_closed_form_ipf_limit():
    # sample counts: rows gender (f, m) x cols region (n, s)
    n11, n12, n21, n22 = 60, 40, 150, 250
    df = pd.DataFrame({"g": ["f"] * 100 + ["m"] * 400, "r": ["n"] * 60 + ["s"] * 40 + ["n"] * 150 + ["s"] * 250})
    a, b = 0.5, 0.45            # targets P(f), P(n)
    r = rake(df, {"g": {"f": a, "m": 1 - a}, "r": {"n": b, "s": 1 - b}})
    # limit table p11, p12, p21, p22 with margins (a, b) and odds ratio OR of the sample
    OR = n11 * n22 / (n12 * n21)
    # p11 (1 - a - b + p11) = OR (a - p11)(b - p11)  ->  quadratic in p11
    A = 1 - OR
    B = (1 - a - b) + OR * (a + b)
    C = -OR * a * b
    roots = np.roots([A, B, C])
    p11 = [x.real for x in roots if 0 < x.real < min(a, b)][0]
    w = r.weights.to_numpy()
    tot = w.sum()
    assert w[:60].sum() / tot == pytest.approx(p11, abs=1e-9)
    assert w[60:100].sum() / tot == pytest.approx(a - p11, abs=1e-9)
    assert w[100:250].sum() / tot == pytest.approx(b - p11, abs=1e-9)
    assert r.max_margin_error < 1e-9


def test_three_way_raking_hits_margins_and_diagnostics(sample):
    margins = {"gender": {"f": 52, "m": 48}, "age": {"young": 0.3, "mid": 0.4, "old": 0.3}}
    r = rake(sample, margins)
    assert r.converged and r.max_margin_error < 1e-9
    chk = r.margins_check
    assert chk.loc[("gender", "f"), "target_share"] == pytest.approx(0.52)
    w = r.weights.to_numpy()
    d = r.diagnostics
    assert d.deff == pytest.approx(len(w) * (w**2).sum() / w.sum() ** 2)
    assert d.n_eff == pytest.approx(w.sum() ** 2 / (w**2).sum())
    assert d.deff == pytest.approx(1 + (w.std() / w.mean()) ** 2)


def test_trimming_caps_weights(sample):
    margins = {"gender": {"f": 0.6, "m": 0.4}, "age": {"young": 0.2, "mid": 0.3, "old": 0.5}}
    untrimmed = rake(sample, margins)
    r = rake(sample, margins, trim=3.5)
    assert untrimmed.weights.max() > 5.0
    assert r.converged and r.max_margin_error < 1e-9     # margins still hold
    assert r.weights.max() <= 3.5 * (1 + 1e-8)
    assert r.diagnostics.deff < untrimmed.diagnostics.deff
    assert r.trimmed > 0


def test_infeasible_trim_is_reported_not_hidden(sample):
    margins = {"gender": {"f": 0.6, "m": 0.4}, "age": {"young": 0.2, "mid": 0.3, "old": 0.5}}
    r = rake(sample, margins, trim=2.5, max_iter=200)
    assert not r.converged
    assert r.max_margin_error > 0.01


def test_weighted_vs_unweighted(sample):
    r = rake(sample, {"gender": {"f": 0.5, "m": 0.5}})
    t = weighted_vs_unweighted(sample, ["sat"], r.weights)
    w = r.weights.to_numpy()
    assert t.loc["sat", "weighted"] == pytest.approx(w @ sample["sat"] / w.sum())
    assert t.loc["sat", "shift"] == pytest.approx(t.loc["sat", "weighted"] - sample["sat"].mean())


def test_weight_diagnostics_equal_weights():
    d = weight_diagnostics(np.ones(10))
    assert d.deff == pytest.approx(1) and d.n_eff == pytest.approx(10)


def test_load_margins_yaml(tmp_path):
    p = tmp_path / "m.yaml"
    p.write_text("gender:\n  f: 0.52\n  m: 0.48\nage: {young: 30, mid: 40, old: 30}\n", encoding="utf-8")
    m = load_margins(p)
    assert m["gender"] == {"f": 0.52, "m": 0.48}
    (tmp_path / "bad.yaml").write_text("- a\n- b\n", encoding="utf-8")
    with pytest.raises(DataError, match="must map each variable"):
        load_margins(tmp_path / "bad.yaml")


# --- bad input ---------------------------------------------------------------------------

def test_margin_levels_not_matching_data(sample):
    with pytest.raises(DataError, match=r"'gender': data levels \['m'\] \(rows .*\) have no population margin"):
        rake(sample, {"gender": {"f": 0.5, "x": 0.5}})
    with pytest.raises(DataError, match=r"margin levels \['other'\] have no respondents"):
        rake(sample, {"gender": {"f": 0.4, "m": 0.4, "other": 0.2}})
    with pytest.raises(DataError, match=r"'region' is not a column"):
        rake(sample, {"region": {"n": 1}})
    with pytest.raises(DataError, match="non-negative"):
        rake(sample, {"gender": {"f": -1, "m": 2}})


def test_bad_base_weights(sample):
    w = np.ones(len(sample))
    w[[3, 7]] = [np.nan, -2]
    with pytest.raises(DataError, match=r"base weights are missing or negative in rows 3, 7"):
        rake(sample, {"gender": {"f": 0.5, "m": 0.5}}, base_weights=w)
