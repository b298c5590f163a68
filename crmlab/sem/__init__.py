"""Structural equation models: lavaan-style syntax, PLS path modelling, CB-SEM, measurement."""
from crmlab.sem.cbsem import CBSEMResult, fit_cbsem, srmr
from crmlab.sem.copula import CopulaResult, copula_test
from crmlab.sem.data import PreparedData, prepare_items
from crmlab.sem.effects import MultiGroupResult, mediation, multigroup
from crmlab.sem.ipma import IPMAResult, ipma
from crmlab.sem.measurement import (MeasurementResult, assess_measurement, average_variance_extracted,
                                    composite_reliability, cronbach_alpha, fornell_larcker, htmt,
                                    mcdonald_omega)
from crmlab.sem.micom import MICOMResult, micom
from crmlab.sem.pls import PLSPM, PLSBootstrap, pls_core
from crmlab.sem.predict import CVPATResult, PLSPredict, cvpat
from crmlab.core.modeltext import ECSI_MODEL, ModelSpec, parse_model

__all__ = ["ECSI_MODEL", "ModelSpec", "parse_model", "PreparedData", "prepare_items", "PLSPM",
           "PLSBootstrap", "pls_core", "MeasurementResult", "assess_measurement", "cronbach_alpha",
           "composite_reliability", "average_variance_extracted", "mcdonald_omega", "htmt",
           "fornell_larcker", "CBSEMResult", "fit_cbsem", "srmr", "mediation", "multigroup",
           "MultiGroupResult", "PLSPredict", "CVPATResult", "cvpat", "MICOMResult", "micom", "IPMAResult",
           "ipma", "CopulaResult", "copula_test"]
