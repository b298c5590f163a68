"""Probabilistic customer-base models and customer lifetime value.

``BGNBD`` and ``ParetoNBD`` model repeat purchasing and P(alive) (``BGNBDCovariates`` and
``ParetoNBDCovariates`` with time-invariant covariates, :func:`campaign_effect` for a randomised
campaign as a covariate);
``GammaGamma`` models spend per transaction; :mod:`crmlab.clv.value` turns
fitted models into discounted CLV and holdout validation tables.
``ShiftedBetaGeometric`` (contract renewal) and ``BGBB`` (discrete transaction
opportunities) cover contractual and discrete-time settings;
:mod:`crmlab.clv.intervals` adds parameter-uncertainty intervals.
"""

from crmlab.clv.base import ConvergenceError, compress
from crmlab.clv.bgbb import BGBB
from crmlab.clv.bgnbd import BGNBD
from crmlab.clv.bgnbd_cov import BGNBDCovariates
from crmlab.clv.campaign import campaign_effect, join_assignment
from crmlab.clv.gammagamma import GammaGamma, independence_check
from crmlab.clv.intervals import clv_interval, expected_purchases_interval, p_alive_interval, parameter_draws
from crmlab.clv.paretonbd import ParetoNBD
from crmlab.clv.paretonbd_cov import ParetoNBDCovariates
from crmlab.clv.sbg import ShiftedBetaGeometric, sbg_by_segment, survivor_records, survivor_table
from crmlab.clv.value import concentration, customer_value, holdout_by_frequency, holdout_errors, tracking

__all__ = ["BGNBD", "ParetoNBD", "GammaGamma", "ConvergenceError", "compress",
           "independence_check", "customer_value", "concentration", "holdout_by_frequency",
           "holdout_errors", "tracking", "BGBB", "ShiftedBetaGeometric", "sbg_by_segment", "survivor_records",
           "survivor_table", "clv_interval", "p_alive_interval", "expected_purchases_interval", "parameter_draws",
           "BGNBDCovariates", "ParetoNBDCovariates", "campaign_effect", "join_assignment"]
