"""The evidence layer: findings as evidence a researcher can use, from any store.

:mod:`~kg.evidence.gather` flattens every finding with its regimens, outcome, population, study,
figures and significance; :mod:`~kg.evidence.figures` says them in words; :mod:`~kg.evidence.grid`
builds the evidence map (regimens by outcomes, across sources); :mod:`~kg.evidence.meta` exports
the ratio estimates for meta-analysis software (TE, seTE) and the arm-level figures; and
:mod:`~kg.evidence.bibliography` writes the sources as RIS and BibTeX.
"""
