"""Churn for competing reasons (voluntary vs involuntary) with known cause-specific hazards.

No public churn table records why customers left, so the competing-risks
estimators are checked on data whose truth is known: two latent Weibull
proportional-hazards times (voluntary cancellation, involuntary loss such as
payment failure), the first one observed, independent administrative
censoring. The true cause-specific log hazard ratios are the coefficients;
the true cumulative incidence per contract is computed by quadrature.
"""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from numpy.polynomial.hermite_e import hermegauss
from numpy.polynomial.legendre import leggauss

from crmlab.core.errors import ParameterError

__all__ = ["CONTRACTS", "SimulatedCompetingRisks", "simulate_competing_risks"]

CONTRACTS = ("Month-to-month", "One year", "Two year")

DEFAULT_CAUSES = {
    "voluntary": {"shape": 0.8, "scale": 60.0,
                  "coef": {"contract=One year": -1.2, "contract=Two year": -2.5, "senior": 0.3, "charges": 0.4}},
    "involuntary": {"shape": 1.3, "scale": 150.0,
                    "coef": {"contract=One year": -0.3, "contract=Two year": -0.6, "senior": 0.6, "charges": -0.25}},
}
_COVS = ("contract=One year", "contract=Two year", "senior", "charges")


@dataclass
class SimulatedCompetingRisks:
    """Data (``tenure, status, reason, contract, senior, charges``) and the truth behind it.

    ``status``: 0 still a customer (censored), 1 voluntary, 2 involuntary
    (``reason`` holds the words). ``truth[cause]`` is the dict of true
    cause-specific log hazard ratios, keyed by design column
    (``"contract=One year"``, ``"contract=Two year"``, ``"senior"``, ``"charges"``).
    """
    data: pd.DataFrame
    truth: dict
    params: dict = field(repr=False)

    def true_cif(self, times, cause, contract=None, *, n_nodes=64):
        """True cumulative incidence of ``cause`` at ``times`` among customers of ``contract`` (None: all).

        Notes
        -----
        :math:`F_k(t|x) = \\int_0^t h_k(u|x)\\, e^{-H_1(u|x) - H_2(u|x)}\\,du`
        with Weibull :math:`H_k(u|x) = (u/\\sigma_k)^{a_k} e^{x'\\beta_k}`,
        integrated by Gauss-Legendre after the substitution
        :math:`u = t w^{m}`, :math:`m = 1/\\min_k a_k` (smooth integrand);
        averaged over senior (exact two-point mixture) and standard-normal
        charges (Gauss-Hermite, 40 nodes), and over contracts by their shares.
        """
        causes = list(self.params["causes"])
        if cause not in causes:
            raise ParameterError(f"cause must be one of {causes}, got {cause!r}")
        shares = self.params["contract_shares"]
        if contract is None:
            return sum(shares[c] * self.true_cif(times, cause, c, n_nodes=n_nodes) for c in CONTRACTS)
        if contract not in CONTRACTS:
            raise ParameterError(f"contract must be one of {CONTRACTS}, got {contract!r}")
        t = np.atleast_1d(np.asarray(times, dtype=float))
        z, wz = hermegauss(40)
        wz = wz / wz.sum()
        s_share = self.params["senior_share"]
        w, ww = leggauss(n_nodes)
        w, ww = (w + 1) / 2, ww / 2  # on [0, 1]
        pars = [self.params["causes"][c] for c in causes]
        m = 1.0 / min(p["shape"] for p in pars)
        out = np.zeros(t.size)
        for senior, ps in ((0, 1 - s_share), (1, s_share)):
            x = {"contract=One year": float(contract == "One year"), "contract=Two year": float(contract == "Two year"),
                 "senior": float(senior)}
            for zc, pz in zip(z, wz):
                x["charges"] = zc
                u = t[:, None] * w[None, :] ** m  # (times, nodes)
                H = [(u / p["scale"]) ** p["shape"] * np.exp(sum(p["coef"][k] * x[k] for k in _COVS)) for p in pars]
                k = causes.index(cause)
                a = pars[k]["shape"]
                # h_k(u) du = a H_k(u) / u * du, du = t m w^(m-1) dw  ->  a m H_k / w
                integrand = a * m * H[k] / np.where(w > 0, w, 1.0)[None, :] * np.exp(-H[0] - H[1])
                out += ps * pz * (integrand * ww[None, :]).sum(axis=1)
        return out


def simulate_competing_risks(n=5_000, *, contract_shares=(0.55, 0.25, 0.20), senior_share=0.16, causes=None,
                             follow_up=(12, 72), whole_months=True, seed=None):
    """Customers leaving for two competing reasons, with known cause-specific hazards.

    Model: contract (three levels, ``contract_shares``), senior (Bernoulli
    ``senior_share``), charges ~ N(0, 1) (standardised monthly charges). For
    each reason k a latent time with Weibull cumulative hazard
    :math:`H_k(t|x) = (t/\\sigma_k)^{a_k} \\exp(x'\\beta_k)`; the first
    latent time is the churn time and its reason the cause, so the
    cause-specific hazards are exactly :math:`h_k(t|x)`. Follow-up ends at
    :math:`C \\sim U\\{follow\\_up\\}` months (independent censoring). With
    ``whole_months`` times are rounded up to whole months (ties as in
    tenure data); the true CIF at whole months is unchanged.

    Parameters
    ----------
    causes : dict, optional
        ``{name: {"shape", "scale", "coef": {design column: log HR}}}`` for two
        causes (default :data:`DEFAULT_CAUSES`: voluntary with a falling hazard,
        involuntary with a rising one).

    Returns
    -------
    SimulatedCompetingRisks
    """
    causes = DEFAULT_CAUSES if causes is None else causes
    if len(causes) != 2:
        raise ParameterError(f"give exactly two causes, got {list(causes)}")
    for name, p in causes.items():
        if p["shape"] <= 0 or p["scale"] <= 0:
            raise ParameterError(f"cause {name!r}: shape and scale must be positive, got {p['shape']}, {p['scale']}")
        extra = set(p["coef"]) - set(_COVS)
        if extra:
            raise ParameterError(f"cause {name!r}: unknown coefficients {sorted(extra)}; use {list(_COVS)}")
    shares = np.asarray(contract_shares, dtype=float)
    if shares.size != 3 or (shares < 0).any():
        raise ParameterError(f"contract_shares must be three non-negative numbers, got {contract_shares}")
    shares = shares / shares.sum()
    lo, hi = follow_up
    if not 0 < lo <= hi:
        raise ParameterError(f"follow_up must be (low, high) with 0 < low <= high, got {follow_up}")
    rng = np.random.default_rng(seed)
    ci = rng.choice(3, size=n, p=shares)
    senior = (rng.uniform(size=n) < senior_share).astype(int)
    charges = rng.normal(size=n)
    X = {"contract=One year": (ci == 1).astype(float), "contract=Two year": (ci == 2).astype(float),
         "senior": senior.astype(float), "charges": charges}
    latent = []
    for p in causes.values():
        lp = sum(p["coef"].get(k, 0.0) * X[k] for k in _COVS)
        latent.append(p["scale"] * (rng.exponential(size=n) / np.exp(lp)) ** (1 / p["shape"]))
    T = np.minimum(latent[0], latent[1])
    cause = np.where(latent[0] <= latent[1], 1, 2)
    if whole_months:
        C = rng.integers(int(np.ceil(lo)), int(np.floor(hi)) + 1, size=n).astype(float)
        T = np.ceil(T)
    else:
        C = rng.uniform(lo, hi, size=n)
    status = np.where(T <= C, cause, 0)
    names = list(causes)
    data = pd.DataFrame({"tenure": np.minimum(T, C), "status": status,
                         "reason": np.asarray(["none", *names], dtype=object)[status],
                         "contract": np.asarray(CONTRACTS, dtype=object)[ci], "senior": senior, "charges": charges})
    full = {name: {k: float(p["coef"].get(k, 0.0)) for k in _COVS} for name, p in causes.items()}
    params = {"causes": {name: {**p, "coef": full[name]} for name, p in causes.items()},
              "contract_shares": dict(zip(CONTRACTS, shares)), "senior_share": senior_share,
              "follow_up": follow_up, "whole_months": whole_months}
    return SimulatedCompetingRisks(data, full, params)
