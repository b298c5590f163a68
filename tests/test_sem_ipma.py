"""Importance-performance map analysis (Ringle & Sarstedt 2016).

References: exact identities (importance = total effects of the OLS regressions
on the rescaled 0-100 construct scores; performance = weighted mean of the
rescaled items with the rescaled weights; PLS on data rescaled to 0-100 gives
the same map) and parameter recovery on composite-model data with a known
answer scale.  No printed IPMA numbers exist for R plspm's ECSI data (the
published maps use SmartPLS on the corporate-reputation data).
"""
import numpy as np
import pandas as pd
import pytest

from crmlab.core import datasets
from crmlab.core.errors import DataError, ParameterError
from crmlab.sem.ipma import ipma, item_scale
from crmlab.sem.pls import PLSPM
from crmlab.core.modeltext import ECSI_MODEL
from crmlab.simulate.sem_groups import composite_items


@pytest.fixture(scope="module")
def ecsi():
    return datasets.load_ecsi()


def _total_effects_of_rescaled_regressions(res, spec):
    """OLS (with intercept) of every endogenous rescaled score on its predecessors; T = (I - B)^-1 - I."""
    Y, names = res.scores, spec.names
    B = np.zeros((len(names), len(names)))
    for t in spec.endogenous:
        P = spec.predecessors(t)
        coef = np.linalg.lstsq(np.column_stack([np.ones(len(Y)), Y[P]]), Y[t], rcond=None)[0]
        for s, b in zip(P, coef[1:]):
            B[names.index(s), names.index(t)] = b
    return pd.DataFrame(np.linalg.inv(np.eye(len(names)) - B) - np.eye(len(names)), index=names, columns=names)


@pytest.mark.parametrize("scaled", [True, False])
def test_importance_equals_total_effects_of_the_rescaled_model(ecsi, scaled):
    m = PLSPM(ECSI_MODEL, scaled=scaled).fit(ecsi)
    res = ipma(m, "LOY", scale=(0, 10))
    T = _total_effects_of_rescaled_regressions(res, m.spec_)
    got = res.constructs.set_index("construct")
    np.testing.assert_allclose(got["importance"], T.loc[got.index, "LOY"], atol=1e-10)
    assert list(got.index) == ["IMAG", "EXPE", "QUAL", "VAL", "SAT"]
    np.testing.assert_allclose(got["std_total_effect"],
                               m.effects_.set_index(["source", "target"]).loc[
                                   [(c, "LOY") for c in got.index], "total"], atol=1e-12)


def test_performance_is_the_weighted_mean_of_rescaled_items(ecsi):
    m = PLSPM(ECSI_MODEL).fit(ecsi)
    res = ipma(m, "SAT", scale=(0, 10))
    ind = res.indicators.set_index("item")
    item_mean = ecsi[ind.index].mean() * 10            # 0-10 scale -> 0-100
    np.testing.assert_allclose(ind["performance"], item_mean, atol=1e-10)
    for c, grp in ind.groupby("construct"):
        assert grp["rescaled_weight"].sum() == pytest.approx(1.0)
        perf = res.constructs.set_index("construct").loc[c, "performance"]
        assert perf == pytest.approx((grp["rescaled_weight"] * grp["performance"]).sum(), abs=1e-10)
        # rescaled weights are the standardised weights divided by the item sd, normalised
        raw = m.weights_[grp.index] / ecsi[grp.index].std(ddof=0)
        np.testing.assert_allclose(grp["rescaled_weight"], raw / raw.sum(), atol=1e-12)
        imp = res.constructs.set_index("construct").loc[c, "importance"]
        np.testing.assert_allclose(grp["importance"], grp["rescaled_weight"] * imp, atol=1e-12)
    assert res.scores.min().min() >= -1e-9 and res.scores.max().max() <= 100 + 1e-9
    sat_items = ["sat1", "sat2", "sat3", "sat4"]
    w = m.weights_[sat_items] / ecsi[sat_items].std(ddof=0)
    assert res.target_performance == pytest.approx(float((ecsi[sat_items] * 10).mean() @ (w / w.sum())))


def test_map_is_unchanged_when_pls_is_run_on_the_rescaled_data(ecsi):
    """Ringle & Sarstedt rescale the data before estimation; with standardised PLS that changes nothing."""
    items = PLSPM(ECSI_MODEL).fit(ecsi).spec_.items
    rescaled = ecsi.copy()
    rescaled[items] = ecsi[items] * 10.0
    a = ipma(PLSPM(ECSI_MODEL).fit(ecsi), "LOY", scale=(0, 10))
    b = ipma(PLSPM(ECSI_MODEL).fit(rescaled), "LOY", scale=(0, 100))
    pd.testing.assert_frame_equal(a.constructs, b.constructs, atol=1e-9)
    pd.testing.assert_frame_equal(a.indicators, b.indicators, atol=1e-9)


def test_ipma_recovers_the_population_map_of_composite_data():
    """Composite model with known scale: performance = 100 (item mean - low) / (high - low); importance =
    standardised total effect x sd(Y*_target) / sd(Y*_source), with sd(Y*) = 100 item_sd / ((high - low) sum w)."""
    model = "A =~ a1 + a2 + a3 + a4\nB =~ b1 + b2\nC =~ c1 + c2 + c3\nB ~ A\nC ~ A + B"
    rng = np.random.default_rng(5)
    n = 20000
    a = rng.standard_normal(n)
    b = 0.6 * a + 0.8 * rng.standard_normal(n)
    c = 0.3 * a + 0.5 * b + np.sqrt(1 - 0.09 - 0.25 - 2 * 0.3 * 0.5 * 0.6) * rng.standard_normal(n)
    lat = pd.DataFrame({"A": a, "B": b, "C": c})
    items, truth = composite_items(lat, model, within_corr=0.4, item_mean=6.0, item_sd=1.2, seed=6)
    res = ipma(PLSPM(model).fit(items), "C", scale=(-2, 14))
    sumw = {k: truth["weights"][k].sum() for k in "ABC"}
    t_std = {"A": 0.3 + 0.6 * 0.5, "B": 0.5}
    got = res.constructs.set_index("construct")
    for s in ("A", "B"):
        assert got.loc[s, "importance"] == pytest.approx(t_std[s] * sumw[s] / sumw["C"], abs=0.02)
        assert got.loc[s, "performance"] == pytest.approx(100 * (6 + 2) / 16, abs=0.3)
    assert res.target_performance == pytest.approx(100 * (6 + 2) / 16, abs=0.3)


def test_scale_defaults_to_observed_range_and_checks_given_scales(ecsi):
    items = ecsi[["imag1", "loy2"]]
    sc = item_scale(items)
    assert list(sc["source"]) == ["data", "data"]
    assert (sc["low"].tolist(), sc["high"].tolist()) == ([items["imag1"].min(), items["loy2"].min()],
                                                         [10.0, 10.0])
    mixed = item_scale(items, {"imag1": (0, 10)})
    assert list(mixed["source"]) == ["given", "data"]
    with pytest.raises(DataError, match=r"item 'imag1' has answers outside its scale \[1, 10\] in rows \[111\]"):
        item_scale(items, (1, 10))
    with pytest.raises(ParameterError, match="pair"):
        item_scale(items, {"imag1": 10})
    m = PLSPM(ECSI_MODEL).fit(ecsi)
    res = ipma(m, "LOY")
    assert res.to_dict()["scale_from_data"] is True
    with pytest.raises(ParameterError, match="exogenous"):
        ipma(m, "IMAG")
    with pytest.raises(ParameterError, match="not a construct"):
        ipma(m, "PRICE")


def test_weighted_map_equals_the_map_of_repeated_rows(ecsi):
    """Identity: a model fitted with integer survey weights gives the map of the data with each row
    repeated w_i times (weighted means and standard deviations throughout)."""
    w = np.random.default_rng(5).integers(0, 4, len(ecsi))
    rep = ecsi.loc[np.repeat(ecsi.index, w)].reset_index(drop=True)
    a = ipma(PLSPM(ECSI_MODEL).fit(ecsi, weights=w), "LOY", scale=(0, 10))
    b = ipma(PLSPM(ECSI_MODEL).fit(rep), "LOY", scale=(0, 10))
    num = ["importance", "performance"]
    np.testing.assert_allclose(a.constructs[num], b.constructs[num], atol=1e-9)
    np.testing.assert_allclose(a.indicators[num + ["rescaled_weight"]], b.indicators[num + ["rescaled_weight"]],
                               atol=1e-9)
    assert a.target_performance == pytest.approx(b.target_performance, abs=1e-9)
    u = ipma(PLSPM(ECSI_MODEL).fit(ecsi), "LOY", scale=(0, 10))
    assert np.abs(u.constructs["performance"] - a.constructs["performance"]).max() > 0.1
