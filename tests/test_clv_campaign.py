"""A randomised campaign as a covariate of the BG/NBD and Pareto/NBD (crmlab.clv.campaign) and its generator
(crmlab.simulate.campaign).

References: simulation recovery of planted effects (rate ratios, dropout, and the expected purchases implied by the
true parameters), the realised holdout purchases of the simulated arms, exact identities (undiscounted CLV =
mean spend x expected purchases; total = n x per-customer effect), the generator's latent traits against their
mixing distributions' means, and the delta method against the parametric bootstrap.
"""

import uuid

import numpy as np
import pandas as pd
import pytest

from crmlab import transactions as tr
from crmlab.clv.campaign import campaign_effect, join_assignment
from crmlab.core import datasets
from crmlab.core.errors import DataError, ParameterError
from crmlab.simulate.campaign import simulate_campaign

BG = {"r": 0.243, "alpha": 4.414, "a": 0.793, "b": 2.426}
PN = {"r": 0.553, "alpha": 10.578, "s": 0.606, "beta": 11.669}
CAL, END = "1997-12-31", "1998-06-30"
HOLDOUT = (pd.Timestamp(END) - pd.Timestamp(CAL)).days / 7  # weeks


# --- joining the assignment table ------------------------------------------------------------------

def test_join_matches_ids_of_any_type_and_reports_the_unmatched():
    ids = [uuid.UUID(int=i) for i in range(8)]
    summary = pd.DataFrame({"frequency": range(6)}, index=pd.Index(ids[:6], name="customer_id"))
    assignment = pd.DataFrame({"customer_id": ids[2:], "arm": ["a", "control", "a", "b", "b", "control"]})
    j = join_assignment(summary, assignment)
    assert j.control == "control"
    assert j.counts == {"n_summary": 6, "n_assignment": 6, "n_matched": 4, "n_summary_only": 2,
                        "n_assignment_only": 2, "by_arm": {"control": 1, "a": 2, "b": 1}}
    assert list(j.summary_only_ids) == ids[:2] and list(j.assignment_only_ids) == ids[6:]
    assert list(j.data.index) == ids[2:6]
    assert j.dummies == {"a": "arm=a", "b": "arm=b"}
    np.testing.assert_array_equal(j.data["arm=a"], [1, 0, 1, 0])
    np.testing.assert_array_equal(j.data["arm=b"], [0, 0, 0, 1])
    with pytest.raises(DataError, match="2 customers of the summary have no arm"):
        join_assignment(summary, assignment, unmatched="raise")
    # ids in a column of the summary, arms as a Series, 0/1 arms: control inferred as 0
    s2 = pd.DataFrame({"cid": ["x", "y", "z"], "frequency": [1, 2, 3]})
    j2 = join_assignment(s2, pd.Series([1, 0, 1], index=["z", "y", "x"]), id_col="cid")
    assert j2.control == 0 and j2.dummies == {1: "arm=1"}
    np.testing.assert_array_equal(j2.data["arm=1"], [1, 0, 1])


def test_join_rejects_what_it_cannot_match():
    summary = pd.DataFrame({"frequency": [1, 2, 3]}, index=pd.Index([1, 2, 3], name="customer_id"))
    as_text = pd.DataFrame({"customer_id": ["1", "2", "3"], "arm": ["control", "t", "t"]})
    with pytest.raises(DataError, match="match as text"):
        join_assignment(summary, as_text)
    with pytest.raises(DataError, match="rows \\[1, 3\\]"):
        join_assignment(summary, pd.DataFrame({"customer_id": [1, 2, 1], "arm": ["control", "t", "t"]}))
    with pytest.raises(DataError, match="without an arm"):
        join_assignment(summary, pd.DataFrame({"customer_id": [1, 2, 3], "arm": ["control", None, "t"]}))
    with pytest.raises(ParameterError, match="control=<label>"):
        join_assignment(summary, pd.DataFrame({"customer_id": [1, 2, 3], "arm": ["a", "b", "c"]}))
    with pytest.raises(ParameterError, match="not among"):
        join_assignment(summary, pd.DataFrame({"customer_id": [1, 2, 3], "arm": ["a", "b", "c"]}), control="z")
    with pytest.raises(DataError, match="nothing to compare"):
        join_assignment(summary, pd.DataFrame({"customer_id": [1, 2], "arm": ["control", "control"]}))
    with pytest.raises(DataError, match="'group'"):
        join_assignment(summary, pd.DataFrame({"customer_id": [1, 2]}), arm_col="group")


# --- the generator ------------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def sim_bg():
    return simulate_campaign(100_000, model="bgnbd", **BG, seed=31)


def test_generator_latent_traits_follow_the_planted_mixing_distributions(sim_bg):
    # per covariate row: mean lambda = r / alpha_i and mean p = a_i / (a_i + b_i) with the note's log links
    c = sim_bg.customers
    coef = sim_bg.params["coef"]
    names = ["mobile", "referred", "treated"]
    for key, grp in c.groupby(names):
        x = dict(zip(names, key))
        alpha = 4.414 * np.exp(-sum(coef.get(f"purchase:{k}", 0.0) * v for k, v in x.items()))
        a = 0.793 * np.exp(sum(coef.get(f"dropout_a:{k}", 0.0) * v for k, v in x.items()))
        b = 2.426 * np.exp(sum(coef.get(f"dropout_b:{k}", 0.0) * v for k, v in x.items()))
        n = len(grp)
        assert abs(grp["lam"].mean() - 0.243 / alpha) < 4 * grp["lam"].std() / np.sqrt(n)
        assert abs(grp["p"].mean() - a / (a + b)) < 4 * grp["p"].std() / np.sqrt(n)
    assert coef["purchase:treated"] == pytest.approx(np.log(1.25))
    assert coef["dropout_a:treated"] == pytest.approx(np.log(0.8)) and coef["dropout_b:treated"] == 0.0
    # complete randomisation: exactly half in each arm; the assignment table agrees with the covariates
    assert (c["treated"] == 1).sum() == 50_000
    np.testing.assert_array_equal(sim_bg.assignment["arm"] == "campaign", c["treated"].to_numpy() == 1)
    assert sim_bg.log["customer_id"].is_monotonic_increasing
    assert sim_bg.log.groupby("customer_id").size().sum() == len(sim_bg.log) == 100_000 + len(sim_bg.events)


def test_generator_is_reproducible_and_validates():
    a = simulate_campaign(300, model="paretonbd", **PN, seed=4)
    b = simulate_campaign(300, model="paretonbd", **PN, seed=4)
    pd.testing.assert_frame_equal(a.log, b.log)
    pd.testing.assert_frame_equal(a.assignment, b.assignment)
    assert not a.log.equals(simulate_campaign(300, model="paretonbd", **PN, seed=5).log)
    assert a.params["coef"]["dropout:treated"] == pytest.approx(np.log(0.8))
    with pytest.raises(ParameterError, match="'campaign_purchase'"):
        simulate_campaign(10, **BG, campaign_purchase=0.0)
    with pytest.raises(ParameterError, match="treated_share"):
        simulate_campaign(10, **BG, treated_share=1.0)
    with pytest.raises(ParameterError, match="pair"):
        simulate_campaign(10, **BG, dropout_coef={"mobile": 0.2})
    with pytest.raises(ParameterError, match="not in covariates"):
        simulate_campaign(10, **BG, purchase_coef={"age": 0.1})


# --- campaign effects ---------------------------------------------------------------------------------

def _true_coef(res, sim):
    """The planted parameters in the fitted model's coefficient order (arm dummy 'arm=campaign' <-> 'treated')."""
    p = sim.params
    out = []
    for name in res.model.coef_.index:
        if name in ("r", "alpha0", "a0", "b0", "s", "beta0"):
            out.append(np.log(p[name]))
        else:
            out.append(p["coef"][name.replace("arm=campaign", "treated")])
    return np.array(out)


@pytest.fixture(scope="module")
def bg_effect(sim_bg):
    s = sim_bg.summary_at(CAL).join(sim_bg.covariates[["mobile", "referred"]])
    res = campaign_effect(s, sim_bg.assignment, purchase_covariates=["mobile", "referred"],
                          dropout_covariates=["mobile"], horizon=HOLDOUT, step=HOLDOUT, discount_rate=0.0)
    return s, res


def test_campaign_rate_ratios_recover_planted_effects(sim_bg, bg_effect):
    s, res = bg_effect
    eff = res.effects.set_index("effect")
    assert set(eff["arm"]) == {"campaign"}
    # each check within 3 SE (several checks per seed; see tests/test_clv_covariates.py::_check_recovery)
    for effect, true in (("purchase_rate_ratio", 1.25), ("dropout_a_ratio", 0.8), ("dropout_b_ratio", 1.0)):
        row = eff.loc[effect]
        assert abs(row["coef"] - np.log(true)) < 3 * row["se"], effect
        assert row["ci_low"] < row["ratio"] < row["ci_high"]
    # the mean dropout probability ratio at the planted parameters, over the campaign customers' covariates
    camp = s["mobile"].to_numpy()[sim_bg.covariates.loc[s.index, "treated"].to_numpy() == 1]
    truth = _true_coef(res, sim_bg)
    cov1 = pd.DataFrame({"mobile": camp, "referred": 0.0, "arm=campaign": 1.0})
    cov0 = cov1.assign(**{"arm=campaign": 0.0})
    true_ratio = res.model.mean_dropout(cov1, coef=truth).mean() / res.model.mean_dropout(cov0, coef=truth).mean()
    row = eff.loc["dropout_probability_ratio"]
    assert abs(row["coef"] - np.log(true_ratio)) < 3 * row["se"]
    assert row["p_value"] < 1e-6 and eff.loc["purchase_rate_ratio", "p_value"] < 1e-6


def test_campaign_value_matches_planted_parameters_and_realised_holdout(sim_bg, bg_effect):
    s, res = bg_effect
    v = res.value.loc["campaign"]
    assert v["n_customers"] == 50_000 and res.join.counts["n_matched"] == 100_000
    # expected purchases per campaign customer over the holdout, at the planted parameters
    treated = sim_bg.covariates.loc[s.index, "treated"].to_numpy() == 1
    sub = s[treated]
    cov1 = pd.DataFrame({"mobile": sub["mobile"].to_numpy(), "referred": sub["referred"].to_numpy(),
                         "arm=campaign": 1.0})
    cov0 = cov1.assign(**{"arm=campaign": 0.0})
    truth = _true_coef(res, sim_bg)
    T = sub["T"].to_numpy()

    def incr(c):
        return (res.model.expected_purchases(T + HOLDOUT, c, coef=truth)
                - res.model.expected_purchases(T, c, coef=truth)).mean()

    true_effect = incr(cov1) - incr(cov0)
    assert abs(v["purchases_effect"] - true_effect) < 3 * v["purchases_se"]
    # what the simulated customers actually bought in the holdout: arm means and their difference
    end = sim_bg.summary_at(END).loc[s.index]
    hold = (end["frequency"] - s["frequency"]).to_numpy()
    n1, n0 = treated.sum(), (~treated).sum()
    act1, act0 = hold[treated].mean(), hold[~treated].mean()
    se_act = np.sqrt(hold[treated].var() / n1 + hold[~treated].var() / n0)
    assert abs(v["purchases_effect"] - (act1 - act0)) < 3 * np.hypot(se_act, v["purchases_se"])
    assert abs(v["purchases_campaign"] - act1) < 3 * np.hypot(hold[treated].std() / np.sqrt(n1),
                                                              v["purchases_campaign_se"])
    assert abs(v["purchases_counterfactual"] - act0) < 3 * np.hypot(hold[~treated].std() / np.sqrt(n0),
                                                                    v["purchases_counterfactual_se"])
    # law of total expectation: the arm means of the history-based predictions match the model-based means
    pred = res.customers["expected_purchases"].to_numpy()
    for hist, model_mean, model_se, sel in (("purchases_history_campaign", "purchases_campaign",
                                             "purchases_campaign_se", treated),
                                            ("purchases_history_control", "purchases_counterfactual",
                                             "purchases_counterfactual_se", ~treated)):
        se_hist = pred[sel].std() / np.sqrt(sel.sum())
        assert abs(v[hist] - v[model_mean]) < 3 * np.hypot(se_hist, v[model_se]), hist
    # exact identities: undiscounted CLV = mean spend x expected purchases; total = n x per customer
    spend = res.spend_model.mean_spend()
    assert v["clv_campaign"] == pytest.approx(spend * v["purchases_campaign"], rel=1e-12)
    assert v["clv_counterfactual"] == pytest.approx(spend * v["purchases_counterfactual"], rel=1e-12)
    assert v["clv_total_effect"] == pytest.approx(50_000 * v["clv_effect"], rel=1e-12)
    assert v["clv_ci_low"] < v["clv_effect"] < v["clv_ci_high"]
    d = res.as_dict()
    assert d["purchase_rate_ratio"]["ratio"] == pytest.approx(res.effects.set_index("effect").loc[
        "purchase_rate_ratio", "ratio"])
    assert d["clv_total"]["effect"] == pytest.approx(v["clv_total_effect"])
    assert d["matching"]["n_summary_only"] == 0


@pytest.fixture(scope="module")
def cdnow():
    s = tr.summarize(datasets.load_cdnow_sample(), calibration_end="1997-09-30", holdout_end="1998-06-30").table
    rng = np.random.default_rng(8)
    arms = pd.DataFrame({"customer_id": s.index.to_numpy(), "arm": rng.choice(["control", "mail"], len(s))})
    return s, arms


def test_delta_method_and_parametric_bootstrap_intervals_agree_on_cdnow(cdnow):
    s, arms = cdnow
    kw = {"horizon": 52.0, "step": 4.0, "discount_rate": 0.1, "per_customer": False}
    delta = campaign_effect(s, arms, **kw)
    boot = campaign_effect(s, arms, interval="bootstrap", n_draws=300, seed=2, **kw)
    vd, vb = delta.value.loc["mail"], boot.value.loc["mail"]
    assert vd["clv_effect"] == vb["clv_effect"]  # same point estimate
    assert vb["clv_se"] == pytest.approx(vd["clv_se"], rel=0.15)
    assert vb["purchases_se"] == pytest.approx(vd["purchases_se"], rel=0.15)
    assert (vb["clv_ci_high"] - vb["clv_ci_low"]) == pytest.approx(vd["clv_ci_high"] - vd["clv_ci_low"], rel=0.2)
    # reproducible: the seed fixes the draws
    small = [campaign_effect(s, arms, interval="bootstrap", n_draws=20, seed=5, **kw).value for _ in range(2)]
    pd.testing.assert_frame_equal(*small)
    # a made-up assignment: the random arm's purchase-rate interval covers 1 (no effect)
    row = delta.effects.set_index("effect").loc["purchase_rate_ratio"]
    assert row["ci_low"] < 1 < row["ci_high"]


def test_unmatched_customers_are_counted_and_left_out_of_the_fit(cdnow):
    s, arms = cdnow
    part = arms.iloc[100:]
    res = campaign_effect(s, part, on="purchase", horizon=12.0, step=4.0)
    assert res.join.counts["n_summary_only"] == 100 and res.join.counts["n_matched"] == len(s) - 100
    assert res.model.n_customers_ == len(s) - 100
    assert list(res.effects["effect"]) == ["purchase_rate_ratio"]
    assert list(res.customers.columns) == ["arm", "p_alive", "expected_purchases", "clv"]
    assert len(res.customers) == len(s) - 100 and res.customers["clv"].ge(0).all()
    np.testing.assert_allclose(res.customers["p_alive"],
                               res.model.p_alive(res.join.data["frequency"], res.join.data["recency"],
                                                 res.join.data["T"], res.join.data), rtol=0)
    with pytest.raises(ParameterError, match="whole number of steps"):
        campaign_effect(s, arms, horizon=10.0, step=4.0)
    with pytest.raises(ParameterError, match="on must"):
        campaign_effect(s, arms, on=("spend",))


def test_paretonbd_campaign_recovers_purchase_and_dropout_rate_ratios():
    # the covariate recovery on 100k customers is tests/test_clv_covariates.py; here the Pareto/NBD path of
    # campaign_effect on 40k (its gradient integrates numerically per customer: ~1 s per 10k customers and fit)
    sim = simulate_campaign(40_000, model="paretonbd", **PN, campaign_purchase=1.3, campaign_dropout=0.7, seed=32)
    s = sim.summary_at(CAL).join(sim.covariates[["mobile", "referred"]])
    res = campaign_effect(s, sim.assignment, model="paretonbd", purchase_covariates=["mobile", "referred"],
                          dropout_covariates=["mobile"], horizon=HOLDOUT, step=HOLDOUT, discount_rate=0.0,
                          per_customer=False)
    eff = res.effects.set_index("effect")
    for effect, true in (("purchase_rate_ratio", 1.3), ("dropout_rate_ratio", 0.7)):
        assert abs(eff.loc[effect, "coef"] - np.log(true)) < 3 * eff.loc[effect, "se"], effect
    treated = sim.covariates.loc[s.index, "treated"].to_numpy() == 1
    hold = (sim.summary_at(END).loc[s.index, "frequency"] - s["frequency"]).to_numpy()
    se_act = np.sqrt(hold[treated].var() / treated.sum() + hold[~treated].var() / (~treated).sum())
    v = res.value.loc["campaign"]
    assert abs(v["purchases_effect"] - (hold[treated].mean() - hold[~treated].mean())) < 3 * np.hypot(
        se_act, v["purchases_se"])
