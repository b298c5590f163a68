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
# time-invariant covariates (Fader & Hardie 2007, note 019) and a randomised campaign as a covariate
from crmlab.clv.bgnbd_cov import BGNBDCovariates
from crmlab.clv.paretonbd_cov import ParetoNBDCovariates
from crmlab.clv.campaign import campaign_effect, join_assignment

__all__ = ["BGNBD", "ParetoNBD", "GammaGamma", "ConvergenceError", "compress",
           "independence_check", "customer_value", "concentration", "holdout_by_frequency",
           "holdout_errors", "tracking"]
__all__ += ["BGNBDCovariates", "ParetoNBDCovariates", "campaign_effect", "join_assignment"]
