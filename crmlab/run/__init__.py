"""Running studies: command line, parameter validation, the runner, run comparison and index pages.

This floor drives notebooks; it never imports an estimator or a study.
"""
