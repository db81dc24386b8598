"""The engine: a validated scenario is compiled to arrays, and a Mesa model plays the
negotiation rounds of a chunk of trials at once.

Modules in the order a trial uses them: ``compile`` (scenario to arrays, with
``packages``), ``draws`` (the per-trial random types), ``state`` (the per-trial
record), ``payoffs`` and ``planning`` (war values and backward induction),
``valuation`` (values in the current state), ``beliefs``, ``choice``, ``red_lines``
(every kind of red line and its enforcement), ``agents`` and ``model`` (the Mesa
model), ``trace`` (narratives), ``script`` (forced play) and ``kernels`` (compiled
inner loops).
"""
