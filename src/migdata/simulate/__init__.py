"""Everything the kit simulates, labelled synthetic wherever it appears, with fixed seeds.

* :mod:`~.population` -- a South Caucasus population of persons with stays, for the concepts
  engine;
* :mod:`~.instruments` -- data-collection instruments (census, survey, register, border count)
  applied to that population;
* :mod:`~.submissions` -- synthetic student hand-ins for the grading tests and benchmark.
"""
