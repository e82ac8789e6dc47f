"""The lecturer's trusted side: release, collect, autograde, feedback, export (migdata-course).

This package grades hostile code. It is never imported by a student's kernel
(:mod:`migdata.classroom`) and never imports the publishing package (:mod:`migdata.publish`).
Modules follow the steps of the grading workflow: :mod:`~.config` (the nbgrader course),
:mod:`~.variants` (per-student variants), :mod:`~.exchange` and :mod:`~.moodle` (collecting
hand-ins),
:mod:`~.submissions` (inspecting them), :mod:`~.sandbox` and :mod:`~.integrity` (running them
contained), :mod:`~.autograde` (grading a class in parallel), :mod:`~.locking`, :mod:`~.feedback`
and :mod:`~.report` (feedback, marks and exports) and :mod:`~.cli` (the command line).
"""
