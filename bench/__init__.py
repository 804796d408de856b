"""Benchmarks of reportlib: ``python -m bench`` (or ``make bench``).

In one run, each measured at least three times (median, min, max):

* the full-year build, ``reportlib build --all --force`` (every report, HTML and PDF),
  against the naive loop a user would otherwise run — ``papermill`` then
  ``jupyter nbconvert --to reporthtml`` and ``--to reportpdf`` for each report, in
  parallel with ``xargs -P <cores>`` (the peer), and once in sequence (reference) —
  on the same inputs, and their ratio;
* the no-op rebuild, ``reportlib build --all`` again with nothing changed;
* ``reportlib ingest`` of a generated 1 000 000-row set of CSV submissions, with
  the process's peak memory;
* ``reportlib plan extract`` of a generated 200-page work plan (``bench/plan_doc.py``).
* the scaling series (``bench/scale.py``): generated plans of 83, 300 and 1000 KPIs —
  ``plan extract``, plan loading, and the quarter's reports by kind, pages, peak memory.

Targets are printed as PASS/FAIL lines (never timed assertions in tests) and the
table is written to docs/benchmarks.md. ``--quick`` runs everything once;
``--only build,noop,ingest,formatted,plan,scale`` runs parts.
"""
