"""One package per study: what that study says (``text.py``, ``narrative.yaml``), shows
(``plots.py``) and does between estimator calls (``steps.py``). Studies never import each other;
words several of them share (the survey hygiene's) are in :mod:`crmlab.studies.common`, which imports
no study."""
