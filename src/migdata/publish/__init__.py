"""The lecturer's materials, built from the course notebooks: site, slides, handouts, workbooks.

:mod:`~.notebooks` finds and runs the course notebooks; :mod:`~.site` builds the offline course
site, :mod:`~.slides` the reveal.js decks, :mod:`~.handouts` and :mod:`~.workbooks` the printable
and Excel material of the Unit 2.4 tasks (:mod:`~.tasks`), :mod:`~.guides` the journalists'
guide. Never imported by a student's kernel.
"""
