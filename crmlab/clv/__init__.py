"""Probabilistic customer-base models and customer lifetime value.

``BGNBD`` and ``ParetoNBD`` model repeat purchasing and P(alive);
``GammaGamma`` models spend per transaction; :mod:`crmlab.clv.value` turns
fitted models into discounted CLV and holdout validation tables.
"""

from crmlab.clv.base import ConvergenceError, compress
from crmlab.clv.bgnbd import BGNBD
from crmlab.clv.gammagamma import GammaGamma, independence_check
from crmlab.clv.paretonbd import ParetoNBD
from crmlab.clv.value import concentration, customer_value, holdout_by_frequency, holdout_errors, tracking

__all__ = ["BGNBD", "ParetoNBD", "GammaGamma", "ConvergenceError", "compress",
           "independence_check", "customer_value", "concentration", "holdout_by_frequency",
           "holdout_errors", "tracking"]
