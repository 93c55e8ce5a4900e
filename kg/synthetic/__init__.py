"""Synthetic inputs for scale tests and benchmarks: evidence graphs of a chosen size (:mod:`~kg.synthetic.triples`)."""
