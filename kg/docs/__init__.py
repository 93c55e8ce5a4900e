"""Documentation drawn from the project itself: the querying guide (:mod:`~kg.docs.guide`) and the model
diagram laid out from the ontology (:mod:`~kg.docs.diagram`)."""
