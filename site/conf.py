"""Sphinx configuration of the course site (``make html``).

The site is built by :mod:`migdata.publish.site`, which copies this folder, the executed notebooks,
the lecturers' guides and the generated glossary and data-catalogue pages into a staging folder
and runs Sphinx there. Notebooks arrive executed, so MyST-NB only renders them.

Everything a page loads must come from the site itself (it is used from USB sticks with no
internet): no CDN for scripts, style sheets, fonts or MathJax.
"""

project = "migdata: Module 2, Migration Data and Data Management"
author = "migdata developers"
copyright = "migdata developers; data: see each dataset's source"
language = "en"
smartquotes = False  # keep names and quotations exactly as written (official wording)

extensions = ["myst_nb", "sphinx_book_theme"]

# the notebooks are executed by migdata.publish.site before Sphinx runs (in parallel, offline)
nb_execution_mode = "off"
nb_merge_streams = True
myst_enable_extensions = ["colon_fence", "deflist", "dollarmath"]
myst_heading_anchors = 3
suppress_warnings = ["myst.header", "misc.highlighting_failure"]

exclude_patterns = ["_build", "**.ipynb_checkpoints", "lecturers/_*"]
source_suffix = {".md": "myst-nb", ".ipynb": "myst-nb"}

html_theme = "sphinx_book_theme"
html_title = "Module 2: Migration Data"
html_static_path = ["_static"]
html_css_files = ["print.css"]
# search snippets from file:// (see the file); migdata_search_texts.js is written after the build
html_js_files = ["migdata_file_search.js"]
html_show_sourcelink = False
html_copy_source = True  # the download button offers the notebook (.ipynb) of each page
html_last_updated_fmt = None
html_theme_options = {
    "use_download_button": True,
    "use_fullscreen_button": False,
    "use_repository_button": False,
    "show_toc_level": 2,
    "navigation_with_keys": True,
    "show_prev_next": True,
    # no remote icon fonts, no analytics, no launch buttons (they all need the internet)
    "icon_links": [],
    "launch_buttons": {},
}
# a fixed light mode: with no stored choice (a page opened from a file) the theme otherwise logs
# "Got invalid theme mode" as a console error
html_context = {"default_mode": "light"}
# MathJax from the site itself (copied from the npm package "mathjax" by migdata.publish.site)
mathjax_path = "mathjax/tex-chtml.js"
