"""Drafting: from an article's plain text to a draft source fact file (``mmkg draft``, ``/draft``).

:mod:`~kg.drafting.document` runs it: :mod:`~kg.drafting.figures` finds the figures of each sentence,
:mod:`~kg.drafting.lexicon` the terms it names, :mod:`~kg.drafting.attach` and
:mod:`~kg.drafting.assemble` tie figures to endpoints, arms and studies, :mod:`~kg.drafting.entries`
and :mod:`~kg.drafting.citation` write the source record, publications and new entries,
:mod:`~kg.drafting.writing` the YAML. :mod:`~kg.drafting.workflow` previews and accepts drafts;
:mod:`~kg.drafting.scoring` scores a draft against a curated file. :mod:`~kg.drafting.inputs` reads
PDF, JATS / MEDLINE XML, web pages and aligned text tables into the derived text the drafter reads;
:mod:`~kg.drafting.tables` drafts table cells with their headers; :mod:`~kg.drafting.figure_score`
scores a draft against a list of expected figures.
"""
