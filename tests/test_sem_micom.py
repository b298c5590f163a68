"""MICOM (Henseler, Ringle & Sarstedt 2016) and the composite group generator.

References: exact recomputation (group weights = separate PLSPM fits; c and the
step-3 statistics recomputed from those fits; permuted statistics = refits on
the same permuted labels), simulation (a planted non-invariant composite and
planted mean/variance differences are found; an invariant population is
rejected at the nominal rate), and parameter recovery of the generator.
No printed MICOM numbers exist for R plspm's ECSI data (cSEM's example uses
simulated data from its cSEM.DGP package).
"""
import numpy as np
import pandas as pd
import pytest

from crmlab.core import datasets
from crmlab.core.errors import DataError, ParameterError
from crmlab.sem.micom import micom
from crmlab.sem.pls import PLSPM
from crmlab.core.modeltext import ECSI_MODEL
from crmlab.simulate.sem_groups import composite_items, simulate_groups

MODEL = "A =~ a1 + a2 + a3\nB =~ b1 + b2 + b3\nC =~ c1 + c2 + c3\nB ~ A\nC ~ A + B"
PATHS = {"B~A": 0.5, "C~A": 0.3, "C~B": 0.4}


# -- generator ---------------------------------------------------------------
def test_composite_items_reproduce_the_given_scores_with_unequal_weights():
    rng = np.random.default_rng(1)
    scores = pd.DataFrame({"A": rng.gamma(2.0, size=4000), "B": rng.standard_normal(4000) * 2 + 1,
                           "C": rng.standard_normal(4000)})
    items, truth = composite_items(scores, MODEL, weights={"A": [3, 1, -0.5]}, within_corr=0.3,
                                   item_mean=5, item_sd=2, seed=2)
    for c in ("A", "B", "C"):
        cols = [f"{c.lower()}{j}" for j in (1, 2, 3)]
        u = (items[cols] - 5) / 2
        np.testing.assert_allclose(u.to_numpy() @ truth["weights"][c], scores[c], atol=1e-10)
        w = truth["weights"][c]
        assert w @ truth["sigma"][c] @ w == pytest.approx(1.0)
    # for a unit-variance score the items have the block correlation Sigma
    np.testing.assert_allclose(items[["c1", "c2", "c3"]].corr().to_numpy(), truth["sigma"]["C"], atol=0.03)


def test_simulate_groups_recovers_paths_means_sds_and_mode_a_weight_direction():
    groups = {"one": {"n": 20000, "paths": PATHS},
              "two": {"n": 20000, "paths": {"B~A": 0.2, "C~A": 0.3, "C~B": 0.4},
                      "weights": {"A": [1, 0, 0]}, "means": {"C": 0.5}, "sds": {"B": 1.5}}}
    data, truth = simulate_groups(MODEL, groups, within_corr=0.4, seed=3)
    assert data["group"].value_counts().to_dict() == {"one": 20000, "two": 20000}
    lat2 = truth["two"]["latent"]
    assert lat2["C"].mean() == pytest.approx(0.5, abs=0.02)
    assert lat2["B"].std() == pytest.approx(1.5, abs=0.03)
    assert np.corrcoef(lat2["A"], lat2["B"])[0, 1] == pytest.approx(0.2, abs=0.02)
    # PLS Mode A weights estimate the direction of Sigma w (the loadings), not w itself
    two = data[data["group"] == "two"].reset_index(drop=True)
    w = PLSPM(MODEL).fit(two).weights_[["a1", "a2", "a3"]].to_numpy()
    lam = truth["two"]["loadings"]["A"]
    np.testing.assert_allclose(w / w.sum(), lam / lam.sum(), atol=0.02)


# -- MICOM: exact recomputation ----------------------------------------------
@pytest.fixture(scope="module")
def planted():
    groups = {"one": {"n": 200, "paths": PATHS},
              "two": {"n": 200, "paths": PATHS, "weights": {"A": [1, 0, 0]}, "means": {"C": 0.5},
                      "sds": {"B": 1.5}}}
    data, _ = simulate_groups(MODEL, groups, within_corr=0.3, seed=7)
    return data


def test_group_weights_and_statistics_equal_separate_plspm_fits(planted):
    res = micom(planted, MODEL, "group", n_permutations=50, seed=1)
    items = [f"{c}{j}" for c in "abc" for j in (1, 2, 3)]
    fits = {g: PLSPM(MODEL).fit(planted[planted["group"] == g].reset_index(drop=True)) for g in ("one", "two")}
    blk = np.repeat(np.arange(3), 3)
    for g, key in (("one", "weights_group1"), ("two", "weights_group2")):
        np.testing.assert_allclose(res.draws[key][np.arange(9), blk], fits[g].weights_[items], atol=1e-8)
    X = planted[items].to_numpy(float)
    Z = (X - X.mean(0)) / X.std(0)
    for j, c in enumerate("ABC"):
        cols = [f"{c.lower()}{k}" for k in (1, 2, 3)]
        s1 = Z[:, 3 * j:3 * j + 3] @ fits["one"].weights_[cols].to_numpy()
        s2 = Z[:, 3 * j:3 * j + 3] @ fits["two"].weights_[cols].to_numpy()
        assert res.compositional.loc[c, "c"] == pytest.approx(np.corrcoef(s1, s2)[0, 1], abs=1e-10)
    pooled = PLSPM(MODEL).fit(planted).scores_
    one = (planted["group"] == "one").to_numpy()
    np.testing.assert_allclose(res.means["difference"], pooled[one].mean() - pooled[~one].mean(), atol=1e-9)
    np.testing.assert_allclose(res.variances["difference"],
                               np.log(pooled[one].var(ddof=1)) - np.log(pooled[~one].var(ddof=1)), atol=1e-9)


def test_permutation_draws_equal_refits_on_the_same_permuted_labels(planted):
    res = micom(planted, MODEL, "group", n_permutations=4, seed=11)
    in1 = (planted["group"] == "one").to_numpy().astype(float)
    perms = np.random.default_rng(11).permuted(np.tile(in1, (4, 1)), axis=1)   # as micom draws them
    items = [f"{c}{j}" for c in "abc" for j in (1, 2, 3)]
    X = planted[items].to_numpy(float)
    Z = (X - X.mean(0)) / X.std(0)
    pooled = PLSPM(MODEL).fit(planted).scores_.to_numpy()
    for b in range(4):
        g1 = perms[b] == 1
        w1 = PLSPM(MODEL).fit(planted[g1].reset_index(drop=True)).weights_[items].to_numpy()
        w2 = PLSPM(MODEL).fit(planted[~g1].reset_index(drop=True)).weights_[items].to_numpy()
        c = [np.corrcoef(Z[:, 3 * j:3 * j + 3] @ w1[3 * j:3 * j + 3],
                         Z[:, 3 * j:3 * j + 3] @ w2[3 * j:3 * j + 3])[0, 1] for j in range(3)]
        np.testing.assert_allclose(res.draws["c"][b], c, atol=1e-9)
        np.testing.assert_allclose(res.draws["means"][b], pooled[g1].mean(0) - pooled[~g1].mean(0), atol=1e-9)


# -- MICOM: simulation ---------------------------------------------------------
def test_planted_non_invariant_composite_and_mean_variance_shifts_are_found(planted):
    res = micom(planted, MODEL, "group", n_permutations=999, seed=2)
    d = res.decision.set_index("construct")
    assert not d.loc["A", "compositional"] and d.loc["A", "invariance"] == "none"   # weights differ
    assert d.loc["B", "compositional"] and not d.loc["B", "equal_variances"]       # sd 1.5 in group two
    assert d.loc["C", "compositional"] and not d.loc["C", "equal_means"]           # mean +0.5 in group two
    assert d.loc["B", "invariance"] == "partial" and d.loc["C", "invariance"] == "partial"
    assert res.means.loc["C", "difference"] < 0 and res.variances.loc["B", "difference"] < 0
    assert res.compositional.loc["A", "p_value"] < 0.01


@pytest.mark.slow
def test_rejection_rates_under_invariance_are_nominal():
    """600 invariant populations, 199 permutations each: every step rejects at 3-7% at alpha = 5%."""
    model = "A =~ a1 + a2 + a3\nB =~ b1 + b2 + b3\nB ~ A"
    spec = {"n": 40, "paths": {"B~A": 0.5}}
    rng = np.random.default_rng(2024)
    rej = {"compositional": [], "equal_means": [], "equal_variances": []}
    for _ in range(600):
        data, _ = simulate_groups(model, {"g1": spec, "g2": spec}, seed=rng)
        d = micom(data, model, "group", n_permutations=199, seed=rng).decision
        for k in rej:
            rej[k].append(~d[k].to_numpy())
    for k, v in rej.items():
        assert 0.03 <= np.mean(v) <= 0.07, (k, np.mean(v))


# -- ECSI and input errors ---------------------------------------------------------
def test_ecsi_by_gender_runs_and_records():
    res = micom(datasets.load_ecsi(), ECSI_MODEL, "gender", n_permutations=300, seed=1)
    assert res.n == {"female": 148, "male": 102} and res.groups == ("female", "male")
    summ = res.summary()
    assert list(summ["construct"]) == ["IMAG", "EXPE", "QUAL", "VAL", "SAT", "LOY"]
    assert (summ["step2_c"] > 0.98).all() and (summ["step2_c"] <= 1).all()
    assert set(summ["invariance"]) <= {"full", "partial", "none"}
    rec = res.to_dict()
    assert rec["n_permutations"] + rec["n_failed"] == 300 and len(rec["constructs"]) == 6


def test_micom_input_errors(planted):
    three = planted.assign(group=np.where(np.arange(len(planted)) % 3 == 0, "x", planted["group"]))
    with pytest.raises(ParameterError, match="choose two with groups"):
        micom(three, MODEL, "group", n_permutations=10)
    assert micom(three, MODEL, "group", groups=("one", "x"), n_permutations=10, seed=1).groups == ("one", "x")
    with pytest.raises(DataError, match="'segment' is missing"):
        micom(planted, MODEL, "segment")
    flat = planted.copy()
    flat.loc[flat["group"] == "two", "b2"] = 3.0
    with pytest.raises(DataError, match=r"\['b2'\] are constant in group 'two'"):
        micom(flat, MODEL, "group", n_permutations=10)
    with pytest.raises(ParameterError, match="alpha"):
        micom(planted, MODEL, "group", alpha=1.5)


def test_single_item_constructs_are_trivially_compositionally_invariant():
    """With one item, both groups' composites are the item itself: c = 1 in every permutation."""
    model = "IMAG =~ imag1\nSAT =~ sat1 + sat2 + sat3\nLOY =~ loy1\nSAT ~ IMAG\nLOY ~ SAT"
    res = micom(datasets.load_ecsi(), model, "gender", n_permutations=100, seed=1)
    comp = res.compositional
    assert comp.loc["IMAG", "c"] == pytest.approx(1.0) and comp.loc["IMAG", "p_value"] == 1.0
    assert comp.loc[["IMAG", "LOY"], "invariant"].all()


def test_mode_b_blocks_are_estimated_by_regression_in_every_group(planted):
    """Identity: with a formative block (``<~``) the group and pooled weights are those of PLSPM's
    Mode B fits on each group and on the pooled data (not Mode A weights)."""
    model_b = MODEL.replace("A =~", "A <~")
    res = micom(planted, model_b, "group", n_permutations=20, seed=1)
    items = [f"{c}{j}" for c in "abc" for j in (1, 2, 3)]
    blk = np.repeat(np.arange(3), 3)
    for g, key in (("one", "weights_group1"), ("two", "weights_group2")):
        fit = PLSPM(model_b).fit(planted[planted["group"] == g].reset_index(drop=True))
        np.testing.assert_allclose(res.draws[key][np.arange(9), blk], fit.weights_[items], atol=1e-8)
        mode_a = PLSPM(MODEL).fit(planted[planted["group"] == g].reset_index(drop=True))
        assert np.abs(fit.weights_[items[:3]] - mode_a.weights_[items[:3]]).max() > 0.01
    pooled = PLSPM(model_b).fit(planted).scores_
    one = (planted["group"] == "one").to_numpy()
    np.testing.assert_allclose(res.means["difference"], pooled[one].mean() - pooled[~one].mean(), atol=1e-9)
