"""What a course notebook imports in a student's kernel: tables, charts, answer checks.

Light by design: pandas, matplotlib and the kit's library only; never nbgrader, Sphinx, the
grading package (:mod:`migdata.grading`) or the publishing package (:mod:`migdata.publish`).
A test (``tests/test_architecture.py``) holds this.
"""
