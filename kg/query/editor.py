"""What the SPARQL editor (``/query``) opens with when no query is given: a small, typical query."""

from __future__ import annotations

__all__ = ["EDITOR_START"]

EDITOR_START = """PREFIX mmkg: <https://w3id.org/mmkg/>
PREFIX res: <https://w3id.org/mmkg/resource/>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>

# Hazard ratios with their confidence intervals and where each was stated
SELECT ?finding ?interventionLabel ?endpointLabel ?hr ?lower ?upper ?source ?locator WHERE {
  ?finding a mmkg:HazardRatioEstimate ;
           mmkg:intervention/rdfs:label ?interventionLabel ;
           mmkg:endpoint/rdfs:label ?endpointLabel ;
           mmkg:estimate ?hr ; mmkg:ciLower ?lower ; mmkg:ciUpper ?upper ;
           mmkg:fromSource ?source ; mmkg:locator ?locator .
}
ORDER BY ?hr
"""
