"""Markdown a student typed, shown to the lecturer and in the feedback without active content.

nbgrader's formgrader and feedback pages render each Markdown cell with ``markdown2html``, which
keeps raw HTML and any link target: a written answer holding ``<script>``, ``<img onerror=...>``,
an ``<iframe>`` or a ``javascript:`` link would run in the lecturer's formgrader page, with the
lecturer's rights on the hub. nbconvert's own ``HTMLExporter.sanitize_html`` cleans outputs, but
nbgrader's ``formgrade`` and ``feedback`` templates render Markdown cells themselves, without it.

:class:`SafeMarkdown` (an nbconvert preprocessor, set in ``autograder/nbgrader_config.py`` for every
``HTMLExporter``: the formgrader, ``nbgrader generate_feedback`` and ``migdata-course feedback``)
renders each Markdown cell here, keeps only plain formatting (paragraphs, emphasis, lists, tables,
headings, code, quotes and ``http``/``https``/``mailto`` links) and puts the result back as one
block of HTML that the template's Markdown step passes through unchanged. Anything else the student
typed is shown as text (``<script>`` appears as the characters ``<script>``), event handlers,
styles and ids are dropped, and a link to any other kind of address loses its target. TeX macros
that make links or styles in MathJax (``\\href``, ``\\style``, ...) are shown as text too.
"""

from __future__ import annotations

import re
from typing import Any

from nbconvert.preprocessors import Preprocessor
from traitlets import Bool

__all__ = ["ALLOWED_PROTOCOLS", "ALLOWED_TAGS", "SafeMarkdown", "clean_html", "drop_unused_mathjax",
           "safe_markdown"]

ALLOWED_TAGS = frozenset({
    "a", "abbr", "b", "blockquote", "br", "caption", "code", "dd", "del", "details", "div", "dl",
    "dt", "em", "h1", "h2", "h3", "h4", "h5", "h6", "hr", "i", "kbd", "li", "mark", "ol", "p",
    "pre", "q", "s", "small", "span", "strong", "sub", "summary", "sup", "table", "tbody", "td",
    "tfoot", "th", "thead", "tr", "u", "ul",
})
"""Tags kept from a student's Markdown; any other tag is shown as text."""
ALLOWED_PROTOCOLS = frozenset({"http", "https", "mailto"})
"""Link targets kept (and addresses without a scheme); others lose the ``href``."""
MARKER = "migdata-safe-markdown"
"""Class of the ``div`` holding a cleaned cell."""

# code highlighting (pygments' short classes, mistune's language-*) is all a class may say
_CLASS = re.compile(r"highlight|language-[\w+-]{1,40}|[a-z]{1,3}[0-9]?")
# TeX macros MathJax turns into links, styles, ids or loaded code
# a reference to an image pasted into the cell (nbformat attachments): shown as a note
_ATTACHMENT = re.compile(r"!\[[^\]\n]{0,500}\]\(\s*attachment:([^)\s]{1,200})[^)\n]{0,300}\)"
                         r"|attachment:([^)\s\"'<>]{1,200})")
_TEX = re.compile(r"\\(href|url|class|cssId|style|unicode|require|html|data)(?![A-Za-z])")


def _attribute(tag: str, name: str, value: str) -> bool:
    if tag == "a" and name in ("href", "title"):
        return True
    if tag in ("td", "th") and name in ("colspan", "rowspan"):
        return value.isdigit()
    if tag == "ol" and name == "start":
        return value.isdigit()
    if name == "class" and tag in ("span", "div", "code", "pre"):
        return all(_CLASS.fullmatch(token) for token in value.split())
    return False


def clean_html(html: str) -> str:
    """Keep only the plain formatting of an HTML fragment; show everything else as text.

    Parameters
    ----------
    html
        HTML made from a student's Markdown.

    Returns
    -------
    str
        The fragment with only :data:`ALLOWED_TAGS`, link targets of :data:`ALLOWED_PROTOCOLS`,
        no event handlers, styles or ids, no comments, and MathJax's link and style macros
        broken up so that they show as text.
    """
    import bleach

    cleaned = bleach.clean(html, tags=ALLOWED_TAGS, attributes=_attribute,
                           protocols=ALLOWED_PROTOCOLS, strip=False, strip_comments=True)
    return _TEX.sub(lambda m: "\\<span></span>" + m.group(1), cleaned)


def safe_markdown(source: str) -> str:
    """A Markdown cell's source as one cleaned HTML block that Markdown keeps as it is.

    Parameters
    ----------
    source
        The cell's Markdown, as the student typed it.

    Returns
    -------
    str
        ``<div class="migdata-safe-markdown">...</div>`` on one line (line breaks as ``&#10;``,
        so no blank line ends the HTML block when the template renders it as Markdown again).
    """
    from nbconvert.filters.markdown import markdown2html

    source = _ATTACHMENT.sub(  # nbconvert would fail on an image it cannot find
        lambda m: f"*(pasted image {(m.group(1) or m.group(2))[:60]}: not shown here)*", source)
    html = clean_html(markdown2html(source))
    return f'<div class="{MARKER}">' + html.strip().replace("\n", "&#10;") + "</div>"


class SafeMarkdown(Preprocessor):
    """nbconvert preprocessor: every Markdown cell through :func:`safe_markdown`.

    Cell attachments are dropped (an attachment is a file the student chose) and a reference
    to one is shown as a plain note (nbconvert would stop on it). Set it with
    ``c.HTMLExporter.preprocessors = ["migdata.grading.safehtml.SafeMarkdown"]``.
    """

    enabled = Bool(True).tag(config=True)

    def preprocess(self, nb: Any, resources: dict) -> tuple[Any, dict]:
        """Clean every Markdown cell of ``nb`` in place."""
        for cell in nb.cells:
            if cell.get("cell_type") != "markdown":
                continue
            source = cell.get("source", "")
            if isinstance(source, list):
                source = "".join(map(str, source))
            cell["source"] = safe_markdown(str(source))
            cell.pop("attachments", None)
        return nb, resources


_MATHJAX = re.compile(
    r"(?:[ \t]*<!-- Loading mathjax macro -->\s*)?[ \t]*<!-- Load mathjax -->\s*"
    r"<script src=\"[^\"]*mathjax[^\"]*\">\s*</script>.*?"
    r"<!-- End of mathjax configuration -->\n?", re.DOTALL | re.IGNORECASE)
_NOT_TEXT = re.compile(r"<(script|style)\b.*?</\1\s*>", re.DOTALL | re.IGNORECASE)
_MATH = re.compile(r"\$|\\\(|\\\[|\\begin\{")


def drop_unused_mathjax(page: str) -> str:
    """A feedback page without its MathJax scripts when it holds no formula.

    nbconvert's pages load MathJax from a CDN (cdnjs) to typeset formulas; offline, that load
    fails. When no math delimiter (``$``, ``\\(``, ``\\[``, ``\\begin{``) appears in the page
    outside its scripts and styles, MathJax has nothing to typeset, and its two scripts are
    removed, so the page loads nothing from the internet for it. A page with a formula is
    returned unchanged (MathJax, and so the internet, is needed to typeset it).
    """
    match = _MATHJAX.search(page)
    if match is None:
        return page
    rest = page[:match.start()] + page[match.end():]
    if _MATH.search(_NOT_TEXT.sub("", rest)):
        return page
    return rest


def offline_feedback(course_dir: Any, assignment: str) -> list[str]:
    """:func:`drop_unused_mathjax` on every feedback page of an assignment, in place.

    Returns
    -------
    list of str
        The students whose page still loads MathJax (it holds a formula).
    """
    from pathlib import Path

    from .config import load_config

    root = Path(load_config(course_dir).CourseDirectory.root)
    online = []
    for page in sorted((root / "feedback").glob(f"*/{assignment}/*.html")):
        text = page.read_text(encoding="utf-8")
        kept = drop_unused_mathjax(text)
        if kept != text:
            page.write_text(kept, encoding="utf-8")
        elif _MATHJAX.search(text):
            online.append(page.parent.parent.name)
    return online
