"""Texts derived from the notebooks must agree with them (issue 21: one home per statement).

The notebooks are the home of the course's teaching statements. Texts written from them, the
lecturers' guides (rendered as the site renders them), the lecturer notes, the task handouts'
text (``migdata.publish.tasks``), the journalists' examples, the glossary and the team notebooks,
may refer to a notebook's sections, figures, tables and questions, and may restate its facts.
This test fails when a reference names a section, figure, table or question that does not exist
(or a section title that differs), when a guide keeps a timed plan of its own instead of the
notebook's, and when a copy contradicts a fact that a notebook states.
"""

from __future__ import annotations

import dataclasses
import re
from functools import cache
from pathlib import Path

import pytest

from migdata import glossary
from migdata.publish import guides, tasks

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = ROOT / "notebooks"
TEAMS = ROOT / "assignments" / "teams"


@cache
def _structure(name: str) -> guides.Structure:
    if name.startswith("team_"):
        return guides.structure(name, TEAMS / name)
    return guides.structure(name, NOTEBOOKS)


def _stem(short: str) -> str | None:
    """A notebook named in a text (``24e``, ``23_institutions_azerbaijan``, ``team_x``)."""
    if short.startswith("team_"):
        return short if (TEAMS / short / f"{short}.ipynb").is_file() else None
    hits = sorted(p.stem for p in NOTEBOOKS.glob("*.ipynb")
                  if p.stem == short or p.stem.startswith(f"{short}_"))
    return hits[0] if len(hits) == 1 else None


@cache
def _copies() -> dict[str, tuple[str, str | None]]:
    """Every derived text: name -> (text, the notebook it refers to by default)."""
    texts: dict[str, tuple[str, str | None]] = {}
    for path in sorted((ROOT / "lecturers").glob("*.md")):
        text = guides.render(path.read_text(encoding="utf-8"), NOTEBOOKS)
        first = re.search(r"[Nn]otebook `(\w+)`", text[:600])
        texts[f"lecturers/{path.name}"] = (text, _stem(first.group(1)) if first else None)
    for path in sorted((ROOT / "autograder" / "lecturer_notes").glob("*.md")):
        texts[f"lecturer_notes/{path.name}"] = (path.read_text(encoding="utf-8"), None)
    for task in tasks.TASKS.values():
        words = [task.title, task.curriculum, *task.questions]
        for table in task.tables:
            words += [table.title, table.note]
        texts[f"tasks.py:{task.id}"] = ("\n".join(words), task.notebook.removesuffix(".ipynb"))
    texts["guides.py:journalists"] = (guides.journalist_examples(), None)
    texts["glossary"] = ("\n".join(f"{t.name}: {t.summary}" for t in glossary.TERMS.values()),
                         None)
    for path in sorted(TEAMS.glob("team_*/team_*.ipynb")):
        texts[path.name] = (_structure(path.stem).text, path.stem)
    return texts


# -- references ---------------------------------------------------------------------------------

_NOTEBOOK_NAME = re.compile(r"\b(00_start_here|team_[a-z_]+|2[1-4][a-e]?(?:_[a-z0-9_]+)?)\b")
_SECTION_NUMBER = re.compile(r"(?<![Cc]entral )\b[Ss]ections? (\d+)(?:\s*[–-]\s*(\d+))?")
_SECTION_TITLE = re.compile(r"\bsection \"([^\"]+)\"")
_QUESTION = re.compile(r"(?<![Cc]entral )\b[Qq]uestions? (\d+)(?:\s*[–-]\s*(\d+))?")
_CENTRAL = re.compile(r"\b[Cc]entral questions? (\d+)(?:(?:,| and|\s*[–-])\s*(\d+))*")
_CAPTION = re.compile(r"\b(Figure|Table) (\d+)\b")


def _sentences(text: str) -> list[str]:
    return [s for s in re.split(r"(?<=[.;:|])\s+|\n\s*\n|\n(?=\|)|\n- ", text) if s.strip()]


def _references(text: str, default: str | None) -> list[tuple[str | None, str, object]]:
    """(notebook, kind, value) for every reference in the text, sentence by sentence."""
    refs = []
    plan = None  # the notebook of a rendered plan: its table rows refer to it
    for sentence in _sentences(text):
        named = [s for s in (_stem(m) for m in _NOTEBOOK_NAME.findall(sentence)) if s]
        caption = re.search(r"The plan of notebook `(\w+)`", sentence)
        if caption:
            plan = _stem(caption.group(1))
        elif sentence.lstrip().startswith("#") or named:
            plan = None  # a new section, or a sentence naming its own notebook
        notebook = plan or (named[-1] if named else default)
        for m in _SECTION_NUMBER.finditer(sentence):
            first, last = int(m.group(1)), int(m.group(2) or m.group(1))
            refs += [(notebook, "section", n) for n in range(first, last + 1)]
        refs += [(notebook, "title", " ".join(t.split()))
                 for t in _SECTION_TITLE.findall(sentence)]
        for m in _QUESTION.finditer(sentence):
            first, last = int(m.group(1)), int(m.group(2) or m.group(1))
            refs += [(notebook, "question", n) for n in range(first, last + 1)]
        refs += [(None, "central", int(n)) for n in re.findall(r"\d+", " ".join(
            m.group(0) for m in _CENTRAL.finditer(sentence)))]
        refs += [(notebook, kind.lower(), int(n)) for kind, n in _CAPTION.findall(sentence)]
    return refs


def _check(notebook: str | None, kind: str, value: object) -> str | None:
    """None when the reference resolves, else what is wrong."""
    if kind == "central":
        return None if 1 <= int(value) <= 6 else f"central question {value} (the module has 6)"
    if notebook is None:
        return f"{kind} {value} names no notebook"
    s = _structure(notebook)
    if kind == "section" and value not in s.sections:
        return f"{notebook} has no section {value} (it has {sorted(s.sections)})"
    if kind == "title":
        titles = {re.sub(r"^\d+\.\s+", "", h) for h in s.headings}
        if value not in titles:
            return f"{notebook} has no section titled {value!r}"
    if kind == "question" and value not in s.questions:
        return f"{notebook} has no question {value} (it has {sorted(s.questions)})"
    if kind == "figure" and value not in s.figures:
        return f"{notebook} has no Figure {value}"
    if kind == "table" and value not in s.tables:
        return f"{notebook} has no Table {value}"
    return None


@pytest.mark.parametrize("name", sorted(_copies()))
def test_every_reference_exists_with_its_title(name):
    text, default = _copies()[name]
    if name.startswith("lecturer_notes/"):
        default = _stem("24e")  # the 2023 note belongs to notebook 24e's last section
    wrong = [w for w in (_check(*r) for r in _references(text, default)) if w]
    assert not wrong, f"{name}: {wrong}"


def test_the_reference_check_catches_what_it_should():
    name = _stem("24d")
    assert _check(name, "section", 99) and _check(name, "question", 99)
    assert _check(name, "figure", 99) and _check(name, "table", 99)
    assert _check(_stem("00_start_here"), "title", "How students are graded")  # title differs
    assert _check(_stem("00_start_here"), "title", "How students are graded (Unit 2.4.1)") is None
    assert _check(None, "central", 7)
    refs = _references('See notebook `24e`, Table 10, and questions 1–4.', None)
    assert (_stem("24e"), "table", 10) in refs and (_stem("24e"), "question", 4) in refs


# -- plans -------------------------------------------------------------------------------------

@pytest.mark.parametrize("guide", ["class1_unit21", "class2_unit22", "class3_unit23",
                                   "class4_unit24"])
def test_class_guides_take_their_plans_from_the_notebooks(guide):
    raw = (ROOT / "lecturers" / f"{guide}.md").read_text(encoding="utf-8")
    assert "<!-- kit-plan:" in raw
    # no timed table of the guide's own: every "| 0–10 min |" row comes from a notebook
    own = [ln for ln in raw.splitlines() if re.match(r"\|\s*\d+\s*[–-]\s*\d+ min", ln)]
    assert own == [], own
    rendered = guides.render(raw, NOTEBOOKS)
    for marker in re.findall(r"<!-- kit-plan: ([^>]+?) -->", raw):
        assert guides.class_plan(marker, NOTEBOOKS) in rendered


@pytest.mark.parametrize("guide", ["class3_unit23", "class4_unit24"])
def test_raw_guides_say_where_each_plan_is_shown(guide):
    raw = (ROOT / "lecturers" / f"{guide}.md").read_text(encoding="utf-8")
    paragraphs = raw.split("\n\n")
    for n, paragraph in enumerate(paragraphs):
        marker = re.fullmatch(r"<!-- kit-plan: ([^>]+?) -->", paragraph.strip())
        if marker:  # the next paragraph, for readers of the Markdown, names the notebook
            note = paragraphs[n + 1]
            notebook = marker.group(1).split("#")[0]
            assert note.rstrip().endswith("<!-- kit-raw-note -->")
            assert f"`notebooks/{notebook}.ipynb`" in note and "course site" in note
            section = guides.class_plan(marker.group(1), NOTEBOOKS).split('section "')[1]
            assert f'section "{section.split(chr(34))[0]}"' in " ".join(note.split())
    rendered = guides.render(raw, NOTEBOOKS)
    assert "kit-raw-note" not in rendered and "only a marker" not in rendered


def test_plan_markers_fail_loudly(tmp_path):
    from migdata.errors import UnknownValueError

    with pytest.raises(UnknownValueError, match="no notebook"):
        guides.render("<!-- kit-plan: 99_nothing -->", NOTEBOOKS)
    with pytest.raises(UnknownValueError, match="no section"):
        guides.render("<!-- kit-plan: 24d_migrant_definition_azerbaijan -->", NOTEBOOKS)


# -- facts ------------------------------------------------------------------------------------

@dataclasses.dataclass(frozen=True)
class Fact:
    """A fact a notebook states, and wordings that contradict it in a copy."""

    notebook: str
    stated: str  # a regex the notebook's text matches (the fact is still there)
    contradictions: tuple[str, ...]  # regexes no copy may match (case-insensitive)
    why: str


FACTS = [
    Fact("24c", r"Taking Russian\s+citizenship removes nobody",
         (r"naturali[sz]ation[^.?]{0,20}\balso change", r"moves on, naturali[sz]ation",
          r"naturali[sz]ation (?:reduces|lowers|changes) (?:the|a) stock"),
         "naturalisation does not change a stock counted by place of birth"),
    Fact("24d", r"\*\*in general\*\*",
         (r"non-nationals only", r"only (?:the )?(?:migrations of )?non-nationals",
          r"cover(?:s)? only non-nationals"),
         "the SSC's figures cover non-nationals 'in general' (Module 2, Unit 2.3), not only"),
    Fact("24d", r"published by the SSC",
         (r"registered by the (?:SSC|State Statistic)", r"\bthe SSC registers",
          r"as the press reports and the curriculum say"),
         "the SSC publishes; the MIA and the SMS register"),
    Fact("23", r"citizenship",
         (r"only source on citizens", r"the only source of (?:data on )?citizens"),
         "citizens are also in the MIA's registrations and in the census"),
    Fact("24e", r"repeats the previous year's value",
         (r"not a value repeated from one year to the next",),
         "in Table 8 some years repeat the previous year's value"),
    Fact("24c", r"direction\(",
         (r"much\s+larger falls",),
         "Revision 2019 shows a rise for 2010-2019; the revisions differ in direction"),
    Fact("24e", r"7 adjacent districts",
         (r"formerly known as Nagorno-Karabakh(?!\s+and 7 adjacent)",),
         "the curriculum's phrase is quoted whole (Module 5, Unit 5.1)"),
    Fact("24e", r"where Russian peacekeepers were",
         (r"former Russian peacekeeping",),
         "'former' is anachronistic for a February 2023 release"),
    Fact("24e", r"may differ",
         (r"different territorial coverage in 2023 \(see",),
         "the 2023 coverage is stated as unverified, not as fact"),
    Fact("24d", r"none of the kit's sources says so",
         (r"temporary residence permit[^.]{0,60}\b(?:is|are) not (?:in|among)",
          r"temporary\*\* residence permits or work permits\s+are not"),
         "whether temporary permit holders are in the SSC series is a question, not a fact"),
    Fact("24e", r"one laptop per group", (r"no laptop is needed",),
         "24e's session plan has one laptop per group"),
    Fact("24a", r"State Statistical Committee",
         (r"(?<!writes ')State Statistics\s+Committee",),
         "the SSC's official English name is State Statistical Committee"),
    Fact("24e", r"\"B R\"",
         (r"\d[\d,]* foreign-born residents",),
         "the UN's stock for Azerbaijan is type B R: foreign-born plus refugees"),
]


@pytest.mark.parametrize("fact", FACTS, ids=[f.why[:40] for f in FACTS])
def test_no_copy_contradicts_a_fact_a_notebook_states(fact):
    home = _structure(_stem(fact.notebook))
    assert re.search(fact.stated, home.text), f"{home.name} no longer states: {fact.why}"
    for name, (text, _) in _copies().items():
        flat = " ".join(text.split())
        for pattern in fact.contradictions:
            hit = re.search(pattern, flat, re.IGNORECASE)
            assert not hit, f"{name} contradicts {home.name} ({fact.why}): {hit.group(0)!r}"


def test_the_fact_check_catches_the_reviewed_wordings():
    """The wordings the review found (issue 21) are caught by the contradictions above."""
    old = [
        "which events (deaths, returns, moves on, naturalisation, border changes) also change it?",
        "The SSC's international migration figures cover non-nationals only.",
        "Azerbaijan: moves for permanent residence registered by the SSC",
        "the only source on citizens' departures and returns",
        "So it is not a value repeated from one year to the next",
        "the changes for 2010-2020 differ from country to country and are much larger falls.",
        '"Karabakh and Eastern Zangazur regions, formerly known as Nagorno-Karabakh". Module 1',
        "excluding the area of the former Russian peacekeeping deployment",
        "The UN estimates 253,887 foreign-born residents in Azerbaijan in 2019",
        "For practitioners, in groups or alone; no laptop is needed.",
        "a news agency, citing the State Statistics Committee, reported",
        "(by the Ministry of Internal Affairs and the State Migration Service, as the press "
        "reports and the curriculum say)",
    ]
    patterns = [p for f in FACTS for p in f.contradictions]
    for sentence in old:
        assert any(re.search(p, sentence, re.IGNORECASE) for p in patterns), sentence


# -- handout text ------------------------------------------------------------------------------

@pytest.mark.parametrize("stem", ["24a_net_migration_rates", "24c_emigration_to_russia_by_decade",
                                  "24d_migrant_definition_azerbaijan"])
def test_handout_text_comes_from_the_notebooks_tagged_cell(stem):
    text = guides.tagged_text(stem, "handout", NOTEBOOKS)
    assert text.startswith("## Preparing your presentation")
    # the grading it states is the curriculum's, and it points to the team notebook
    for share in ("**60 %**", "**40 %**", "| 20 % |", "| 30 % |", "| 10 % |"):
        assert share in text, share
    # the team notebook of the topic exists; students get it from the lecturer (no file names)
    assert "team notebook of this topic (your lecturer gives it to your team)" in " ".join(
        text.split())
    task = next(t for t in tasks.TASKS.values() if t.notebook == f"{stem}.ipynb")
    topic = {"24a_net_migration_rates": "team_net_migration",
             "24c_emigration_to_russia_by_decade": "team_emigration_to_russia",
             "24d_migrant_definition_azerbaijan": "team_migrant_definition"}[stem]
    assert (TEAMS / topic / f"{topic}.ipynb").is_file()
    assert task.path == "2.4.1"


def test_tagged_text_fails_loudly():
    from migdata.errors import UnknownValueError

    with pytest.raises(UnknownValueError, match="tagged 'nothing'"):
        guides.tagged_text("24a_net_migration_rates", "nothing", NOTEBOOKS)
