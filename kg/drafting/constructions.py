"""Every construction the drafter recognises, each declared once as a record, in priority order.

A record (:class:`kg.drafting.figuredata.Construction`) holds the construction's verbose patterns
(built from :mod:`kg.drafting.pieces`), its guards, its typed figure data, the handler that drafts
its figures into findings (:mod:`kg.drafting.sentence`) and the kinds of finding that handler writes
(each with its id short name and how its statement reads, :mod:`kg.drafting.statements`). Where two
figures overlap, the earlier record's wins: "95% CI" is part of a ratio, "23 vs 15 months" a pair
(not two times), "not reached vs 34.5 months" a pair before any plain one, "25 mg" a dose,
"2 months of consolidation" a duration, "16 [4%] of 440" an event count (not a share and a count of
patients), "n = 395" not a count. :func:`kg.drafting.figures.recognise` reads the registry,
:func:`kg.drafting.sentence.draft` each figure's handler, :func:`kg.drafting.statements.describe`
and ``short_name`` its finding kinds; nothing else is kept per kind.

Adding a construction: its pattern, guard and reading (in :mod:`kg.drafting.result_figures` or
:mod:`kg.drafting.design_figures`), one record here, and a case in ``tests/data/phrasings.yaml``
(``tests/test_constructions.py`` fails for a record without a case or a part).

>>> [c.name for c in CONSTRUCTIONS][:3]
['ratio', 'p_value', 'cutoff_date']
"""

from __future__ import annotations

from kg.drafting import design_figures as d
from kg.drafting import result_figures as r
from kg.drafting import sentence as s
from kg.drafting import statements as st
from kg.drafting.figuredata import (
    AllocationData,
    Construction,
    CountData,
    CutoffData,
    DoseData,
    DurationData,
    EventsData,
    GradesData,
    NotReachedData,
    PData,
    PercentData,
    RateData,
    RatioData,
    TimeData,
    TimePairData,
)
from kg.drafting.statements import FindingKind

__all__ = ["CONSTRUCTIONS", "finding_kind"]

CONSTRUCTIONS: tuple[Construction, ...] = (
    Construction("ratio", "ratio", RatioData, (r.RATIO,), r.read_ratio, s.draft_ratio,
                 (st.HAZARD_RATIO, st.RISK_RATIO), guard=r.ratio_guard, ends=r.ratio_end,
                 claims_p=True),
    Construction("p_value", "p", PData, (r.P,), r.read_p, s.draft_p, (st.COMPARISON,)),
    Construction("cutoff_date", "cutoff", CutoffData, (d.CUTOFF,), d.read_cutoff, s.draft_cutoff, (st.STATEMENT,)),
    Construction("dose", "dose", DoseData, (d.DOSE,), d.read_dose, s.draft_dose, (st.DOSE,), beside_others=True,
                 voids=frozenset({"time", "time_pair"})),
    Construction("duration", "duration", DurationData, (d.DURATION, d.FOR_PERIOD, d.FOLLOW_UP), d.read_duration,
                 s.draft_duration, (st.DURATION,)),
    Construction("event_count", "events", EventsData, (r.EVENTS, r.EVENTS_AFTER), r.read_events, s.draft_share,
                 (st.PROPORTION,), guard=r.events_guard),
    Construction("received", "received", CountData, (d.RECEIVED,), d.read_received, s.draft_count, (st.COUNT,)),
    Construction("incidence_rate", "rate", RateData, (r.RATE,), r.read_rate, s.draft_rate, (st.COMPARISON,),
                 claims_p=True),
    Construction("not_reached_pair", "time_pair", TimePairData, (r.NOT_REACHED_FIRST, r.NOT_REACHED_SECOND),
                 r.read_not_reached_pair, s.draft_time_pair, (st.MEDIAN, st.COMPARISON), claims_p=True),
    Construction("time_pair", "time_pair", TimePairData, (r.TIME_PAIR,), r.read_time_pair, s.draft_time_pair,
                 (st.MEDIAN, st.COMPARISON), guard=r.time_pair_guard, claims_p=True),
    Construction("grades", "grades", GradesData, (d.GRADES,), d.read_grades, s.draft_grades, (st.COMPARISON,)),
    Construction("count", "count", CountData, (d.COUNT,), d.read_count, s.draft_count, (st.COUNT,),
                 guard=d.count_guard),
    Construction("assigned", "assigned", CountData, (d.ASSIGNED,), d.read_value, s.draft_count, (st.COUNT,),
                 requires=d.RANDOMISATION_SAID),
    Construction("received_arm", "assigned", CountData, (d.RECEIVED_ARM,), d.read_value, s.draft_count, (st.COUNT,)),
    Construction("n_equals", "n", CountData, (d.N_EQUALS,), d.read_value, s.draft_count, (st.COUNT,)),
    Construction("not_reached", "not_reached", NotReachedData, (r.NOT_REACHED_ALONE,), r.read_not_reached,
                 s.draft_not_reached, (st.MEDIAN,)),
    Construction("time", "time", TimeData, (r.TIME,), r.read_time, s.draft_time, (st.MEDIAN,), guard=r.time_guard),
    Construction("percent", "percent", PercentData, (r.PERCENT,), r.read_percent, s.draft_share,
                 (st.PROPORTION,), guard=r.percent_guard, claims_p=True),
    Construction("allocation", "allocation", AllocationData, (d.ALLOCATION,), d.read_allocation, s.draft_allocation,
                 (st.STATEMENT,), requires=d.ALLOCATION_SAID),
)
"""The constructions in priority order (earlier wins where figures overlap)."""

_FINDING_KINDS = {k.name: k for c in CONSTRUCTIONS for k in c.findings}


def finding_kind(name: str) -> FindingKind | None:
    """The kind of finding called ``name`` that some construction drafts (None: no construction does)."""
    return _FINDING_KINDS.get(name)
