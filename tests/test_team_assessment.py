"""The curriculum's assessment (Module 2, Unit 2.4.1), end to end.

Teams formed, one topic per team, data chosen without Python, figures fact-checked, slides made
from the team notebook, the rubric (relevance 20, analysis 30) marked once per team in the
gradebook and given to every member, presentation (10, per team) and participation (4 x 10, per
student) recorded, and the final grade exported as CSV and as Moodle's worksheet.
"""

from __future__ import annotations

import csv
import json
import os
import random
import re
import zipfile
from pathlib import Path

import pandas as pd
import pytest

from migdata.classroom import teamwork
from migdata.errors import InvalidInputError, MissingColumnsError, UnknownValueError
from migdata.grading import teamwork as team_grading
from migdata.grading.cli import main
from migdata.grading.teamwork import participation_total, read_team_members, spread_team_marks
from migdata.publish import team_notebooks, team_slides

TOPIC = "net_migration"
A = team_notebooks.assignment_id(TOPIC)
NB = f"{A}.ipynb"
RAW = Path(os.environ.get(teamwork.RAW_ENV_VAR, "")) if os.environ.get(
    teamwork.RAW_ENV_VAR) else Path(__file__).resolve().parents[2] / "shared" / "data" / "raw"

DATA = ("wpp_net_migration: country = ARM, AZE, GEO; year = 2014-2024\n"
        "geostat_migration: sex = total; citizenship = all\n")


def _figures() -> str:
    """Cited figures: two taken from the data (never typed here), one wrong, one computed."""
    from migdata import datasets

    wpp = datasets.load("wpp_net_migration", country="AZE", year=2023).iloc[0]
    persons = wpp["net_migration"] * 1000  # WPP publishes thousands; the team writes persons
    return (f"In 2023 Azerbaijan's net migration was {persons:,.0f} persons (WPP 2024).\n"
            f"Its net migration rate was {wpp['net_migration_rate']:.3f} per 1,000 in 2023.\n"
            f"Georgia gained {persons + 1:,.0f} people in 2014-2024.\n"
            "The three countries differ.\n")


# -- the notebooks ---------------------------------------------------------------------------

def test_team_notebooks_are_written_from_their_one_specification(repo_root):
    assert team_notebooks.TEAMS_DIR == repo_root / "assignments" / "teams"
    assert team_notebooks.build(check=True) == []
    assert {p.name for p in team_notebooks.TEAMS_DIR.glob("team_*")} == {
        team_notebooks.assignment_id(t) for t in teamwork.TOPICS}
    # the autograded practice keeps its own folder: no team notebook in assignments/source
    assert not list((repo_root / "assignments" / "source").glob("team_*"))


@pytest.mark.parametrize("topic", list(teamwork.TOPICS))
def test_each_team_notebook_has_the_rubric_and_plain_answer_cells(repo_root, topic):
    path = team_notebooks.TEAMS_DIR / f"team_{topic}" / f"team_{topic}.ipynb"
    nb = json.loads(path.read_text(encoding="utf-8"))
    graded = {c["metadata"]["nbgrader"]["grade_id"]: c["metadata"]["nbgrader"]["points"]
              for c in nb["cells"] if c["metadata"].get("nbgrader", {}).get("grade")}
    assert graded == {"relevance": 20, "analysis": 30}  # marked by hand in the formgrader
    for grade_id in graded:
        cell = next(c for c in nb["cells"]
                    if c["metadata"].get("nbgrader", {}).get("grade_id") == grade_id)
        assert cell["cell_type"] == "markdown" and not cell["metadata"]["nbgrader"]["locked"]
    answers = [c for c in nb["cells"] if "".join(c["source"]).startswith("%%answer")]
    assert ["".join(c["source"]).split()[1] for c in answers] == ["TEAM", "DATA", "FIGURES"]
    assert all("nbgrader" not in c["metadata"] for c in answers)  # the team writes there
    text = "".join("".join(c["source"]) for c in nb["cells"])
    assert "15\nminutes" in text or "15 minutes" in text
    assert "one class\nbefore" in text or "one class before" in text
    assert teamwork.TOPICS[topic].title in text
    assert f'teamwork.start("{topic}")' in text


def test_the_four_topics_are_the_curriculums(repo_root):
    text = (repo_root.parent / "shared" / "curriculum" / "module2.txt")
    if not text.is_file():
        text = Path("/work/shared/curriculum/module2.txt")
    if not text.is_file():
        pytest.skip("curriculum text not present")
    words = " ".join(text.read_text(encoding="utf-8").split()).lower()
    for fragment in ("throughout the years of 2014-2024", "main destination countries",
                     "1990-2000, 2000- 2010, and 2010-2020", "for the last 5 years"):
        assert fragment.lower() in words
    assert list(teamwork.TOPICS) == ["net_migration", "emigration_destinations",
                                     "emigration_to_russia", "migrant_definition"]
    assert teamwork.TOPICS["migrant_definition"].legislation


# -- choosing data and checking figures --------------------------------------------------------

def test_data_choice_is_read_and_every_slip_is_a_sentence():
    choices, problems = teamwork.read_choice(DATA + "no colon here\nwdi: year 2014\n# a note")
    assert [c.dataset for c in choices] == ["wpp_net_migration", "geostat_migration"]
    assert choices[0].filters["year"] == list(range(2014, 2025))
    assert choices[0].filters["country"] == ["ARM", "AZE", "GEO"]
    assert len(problems) == 2 and "Line 4" in problems[1]
    assert teamwork.read_choice(None)[1][0].startswith("No data chosen yet")
    tables, problems = teamwork.chosen_tables("wdi: country = XXX\nnothing_here: year = 2020")
    assert tables == [] and len(problems) == 2
    assert "no dataset 'nothing_here'" in problems[1]


def test_data_slips_are_said_in_line_order_with_a_suggestion():
    tables, problems = teamwork.chosen_tables(
        "WPP_Net_Migration: Country = AZE; year = 2015\nwpp_net_migraton: country = AZE\n"
        "no colon here")
    assert [c.dataset for c, _ in tables] == ["wpp_net_migration"]  # capitals are fine
    assert [p.split(":")[0].split(" (")[0] for p in problems] == ["Line 2", "Line 3"]
    assert "Did you mean 'wpp_net_migration'?" in problems[0]
    _, problems = teamwork.chosen_tables("", topic="emigration_to_russia")
    assert teamwork.TOPICS["emigration_to_russia"].example in problems[0]


def _shown(monkeypatch) -> list[str]:
    from migdata.classroom import display

    said: list[str] = []

    def keep(obj):
        data = getattr(obj, "data", None)
        said.append(data if isinstance(data, str) else str(getattr(obj, "caption", "")) + (
            obj.to_html() if hasattr(obj, "to_html") else repr(obj)))

    monkeypatch.setattr(display, "_display", keep)
    return said


@pytest.mark.parametrize("topic", ["net_migration", "migrant_definition"])
def test_team_cells_run_in_any_order_without_a_traceback(monkeypatch, topic):
    from migdata.answers.saved import clear, record

    nb = team_notebooks.notebook(topic)
    source = {c["id"]: "".join(c["source"]) for c in nb["cells"]}
    said = _shown(monkeypatch)
    clear()
    for cell in ("data-show", "figures-check"):  # a fresh kernel: setup not run, nothing saved
        exec(source[cell], {})
    assert len(said) == 2 and all("No data chosen yet: run the DATA cell" in s for s in said)
    record("DATA", "wpp_net_migration: country = AZE; year = 2015\nwdi: typo")
    said.clear()
    exec(source["figures-check"], {})
    assert "No figures to check yet" in said[0]
    exec(source["data-show"], {})
    assert said[1].startswith("Line 2") and "wpp_net_migration" not in said[1]
    assert "net_migration_source_row" not in said[2] and "(thousand persons)" in said[2]
    assert ": 1 row for" in said[2] and "Source: UN DESA" in said[2]
    clear()


def test_live_lines_use_the_live_source(monkeypatch):
    from migdata import datasets

    calls = []

    def fake_refresh(source, **kwargs):
        calls.append((source, kwargs))
        frame = datasets.load("wdi", country="AZE", indicator="SM.POP.NETM")
        frame.attrs["origin"] = "live"
        return frame

    tables, problems = teamwork.chosen_tables(
        "live wdi: country = AZE; indicator = SM.POP.NETM; year = 2014-2016", fetch=fake_refresh)
    assert problems == []
    (choice, frame), = tables
    assert choice.live and set(frame["year"]) == {2014, 2015, 2016}
    assert calls[0][0] == "wdi" and calls[0][1]["start"] == 2014 and calls[0][1]["end"] == 2016
    _, problems = teamwork.chosen_tables("live nowhere: country = AZE", fetch=fake_refresh)
    assert "no live source called 'nowhere'" in problems[0]


def test_fact_check_says_which_figures_match_their_source():
    result = teamwork.fact_check(_figures(), DATA)
    verdicts = result.set_index("line")["verdict"]
    assert verdicts[1] == "matches" and "wpp_net_migration" in result.loc[0, "where"]
    assert "year 2023" in result.loc[0, "where"] and "read as persons" in result.loc[0, "where"]
    assert verdicts[2] == "matches" and "net_migration_rate" in result.loc[1, "where"]
    assert verdicts[3] == "not found"  # one person off: not the source's figure
    assert verdicts[4] == "no figure"
    # years, year ranges and "per 1,000" are never taken for figures
    assert [f.value for f in teamwork.figures_in("In 2014-2024, per 1,000, 3.5% and −2.1")] == [
        3.5, -2.1]


def test_fact_check_rounding_and_units():
    from migdata import datasets

    stock = datasets.load("un_migrant_stock_totals", country="AZE", sex="total", revision=2019,
                          year=2019, measure="migrant_stock")["value"].iloc[0]
    rounded = round(stock, -3)
    result = teamwork.fact_check(
        f"About {rounded:,.0f} migrants lived there in 2019.\nThere are 3 sources.",
        "un_migrant_stock_totals: country = AZE; sex = total")
    assert list(result["verdict"]) == ["matches when rounded", "not checked"]


def test_fact_check_reads_decimal_commas_as_the_answers_do():
    from migdata import datasets

    figures = teamwork.figures_in("25,9 per 1,000; -8,2; 75,0 thousand; 62 144 persons")
    assert [(f.value, f.decimals) for f in figures] == [(25.9, 1), (-8.2, 1), (75.0, 1),
                                                        (62144.0, 0)]
    rate = datasets.load("wpp_net_migration", country="AZE", year=2015).iloc[0][
        "net_migration_rate"]
    near = f"{rate + 0.4:.1f}".replace(".", ",")  # not the value, same whole number
    result = teamwork.fact_check(f"Azerbaijan's rate in 2015 was {near} per 1,000 (WPP).",
                                 "wpp_net_migration: country = AZE; year = 2015")
    assert list(result["verdict"]) == ["not found"]
    exact = f"{rate:.1f}".replace(".", ",")
    result = teamwork.fact_check(f"Azerbaijan's rate in 2015 was {exact} per 1,000 (WPP).",
                                 "wpp_net_migration: country = AZE; year = 2015")
    assert list(result["verdict"]) == ["matches"]


def test_fact_check_matches_only_the_country_year_and_source_named():
    from migdata import datasets

    data = ("wpp_net_migration: country = ARM, AZE, GEO; year = 2014-2024\n"
            "wdi: country = ARM, AZE, GEO; indicator = SM.POP.NETM; year = 2014-2024")
    wdi = datasets.load("wdi", country="AZE", indicator="SM.POP.NETM", year=2016).iloc[0]
    figure = f"{wdi['value']:,.0f}"
    rate = datasets.load("wpp_net_migration", country="AZE", year=2016).iloc[0][
        "net_migration_rate"]  # only WPP publishes the rate
    result = teamwork.fact_check(
        f"Azerbaijan's net migration in 2016 was {figure} persons (WDI).\n"
        f"Georgia's net migration in 2016 was {figure} persons (WDI).\n"
        f"Azerbaijan's net migration in 2019 was {figure} persons (WDI).\n"
        f"Azerbaijan's net migration rate in 2016 was {rate:.3f} per 1,000 (WDI).\n", data)
    assert list(result["verdict"]) == ["matches", "another row", "another row", "another row"]
    assert "country AZE" in result.loc[0, "where"] and "year 2016" in result.loc[0, "where"]
    assert "Georgia, 2016, WDI" in result.loc[1, "advice"]
    assert "2019" in result.loc[2, "advice"] and "wpp_net_migration" in result.loc[3, "where"]


@pytest.mark.parametrize("seed", range(3))
def test_fact_check_never_raises_on_any_text(seed):
    rng = random.Random(seed)
    alphabet = "0123456789,.-−– %:;=\nabcxyzAZE wpp_net_migration year country"
    for _ in range(30):
        figures = "".join(rng.choice(alphabet) for _ in range(rng.randint(0, 80)))
        data = "".join(rng.choice(alphabet) for _ in range(rng.randint(0, 80)))
        result = teamwork.fact_check(figures, data)
        assert list(result.columns) == ["line", "figure", "verdict", "where", "advice"]


def test_a_lost_or_changed_first_line_gets_one_sentence(capsys):
    from IPython.testing.globalipapp import start_ipython

    from migdata.classroom import answering

    shell = start_ipython()
    answering.load_ipython_extension(shell)
    answering.load_ipython_extension(shell)  # loaded twice: still one guard
    shell.run_cell("Team Caspian\n1234\n1240\n")  # the %%answer TEAM text line deleted
    said = " ".join(capsys.readouterr().out.split())
    assert "Press Ctrl+Z (undo)" in said and "Traceback" not in said and "^" not in said
    shell.run_cell("print('a'")  # Python stays Python
    assert "SyntaxError" in capsys.readouterr().out
    answering.expect_header("DATA", "text")
    shell.run_cell("%%answer DATA\nwdi: country = AZE\n")
    assert "(it reads %%answer DATA text)" in " ".join(capsys.readouterr().out.split())


def test_the_catalogue_shows_columns_and_values_in_words(monkeypatch):
    said = _shown(monkeypatch)
    teamwork.start("net_migration")
    text = "\n".join(said)
    assert "describe(" not in text and "source_row" not in text and "_m49" not in text
    words = teamwork.columns_in_words("wpp_net_migration").set_index("column")
    assert "thousand persons" in words.loc["net_migration", "what it holds"]
    assert words.loc["variant", "values you can write"] == "estimates, medium projection"
    assert words.loc["year", "values you can write"].startswith("1950-")
    assert "Suggested: wpp_net_migration" in text and "Source: UN DESA" in text


def test_catalogue_puts_the_topic_data_first():
    table = teamwork.catalogue("emigration_to_russia")
    assert set(table.loc[table["suggested"], "id"]) == {"un_migrant_stock", "wdi"}
    assert table["suggested"].iloc[0] and not table["suggested"].iloc[-1]
    with pytest.raises(UnknownValueError, match="unknown topic"):
        teamwork.start("topic5")


# -- topic 4: the Migration Code ---------------------------------------------------------------

def test_migration_code_article_3_from_the_official_text():
    if not (RAW / "legislation").is_dir():
        pytest.skip(f"raw data folder not present: {RAW}")
    table, note = teamwork.migration_code_terms(RAW)
    source = (RAW / "legislation/az_migration_code_2013/migration_code_az_art3_art20_21.txt"
              ).read_text(encoding="utf-8")
    assert list(table["article"]) == [f"3.0.{n}" for n in range(1, 18)]
    for row in table.itertuples():  # every term is in the official text as extracted
        assert row[2].split()[0] in source
    assert "no general definition of 'miqrant'" in note and "əməkçi miqrant" in note
    assert "The kit lacks" in note and "question" in note


def test_migration_code_missing_is_said(tmp_path):
    table, note = teamwork.migration_code_terms(tmp_path)
    assert table is None and "missing from this copy of the kit" in note
    assert "The kit lacks" in note and "MIGDATA" not in note


def test_migration_code_is_bundled_with_the_kit(monkeypatch):
    monkeypatch.delenv(teamwork.RAW_ENV_VAR, raising=False)
    monkeypatch.setattr(teamwork, "raw_dir", lambda: None)  # no raw data folder anywhere
    table, note = teamwork.migration_code_terms()
    assert list(table["article"]) == [f"3.0.{n}" for n in range(1, 18)]
    assert "no general definition of 'miqrant'" in note
    raw = RAW / "legislation/az_migration_code_2013/migration_code_az_art3_art20_21.txt"
    if raw.is_file():  # the bundled copy is the raw extract, byte for byte
        assert teamwork.bundled_code_text().read_bytes() == raw.read_bytes()


# -- participation ---------------------------------------------------------------------------

def test_participation_is_four_classes_of_ten(tmp_path):
    sheet = tmp_path / "p.csv"
    sheet.write_text("student_id;class1;class2;class3;class4\n1;10;8,5;7;9\n2;0;0;0;\n",
                     encoding="utf-8")
    table = participation_total(sheet, tmp_path / "out.csv").set_index("student_id")
    assert table.loc["1", "participation"] == 34.5
    assert pd.isna(table.loc["2", "participation"])  # class 4 not marked yet: a gap
    sheet.write_text("student_id,class1,class2,class3,class4\n1,11,0,0,0\n", encoding="utf-8")
    with pytest.raises(InvalidInputError, match="0 to 10"):
        participation_total(sheet)
    sheet.write_text("student_id,class1,class2\n1,1,1\n", encoding="utf-8")
    with pytest.raises(MissingColumnsError, match="class3"):
        participation_total(sheet)
    sheet.write_text("student_id,team\n1,A\n1,B\n", encoding="utf-8")
    with pytest.raises(InvalidInputError, match="more than once"):
        read_team_members(sheet)


# -- end to end --------------------------------------------------------------------------------

def _fill(released: Path, team: str, members: list[str], relevance: str, analysis: str) -> bytes:
    nb = json.loads(released.read_text(encoding="utf-8"))
    for cell in nb["cells"]:
        source = "".join(cell["source"])
        grade_id = cell["metadata"].get("nbgrader", {}).get("grade_id")
        if source.startswith("%%answer TEAM"):
            source += "\n".join([team, *members])
        elif source.startswith("%%answer DATA"):
            source += DATA
        elif source.startswith("%%answer FIGURES"):
            source += _figures()
        elif grade_id == "relevance":
            source = relevance
        elif grade_id == "analysis":
            source = analysis
        cell["source"] = source.splitlines(keepends=True)
    return json.dumps(nb, indent=1).encode()


def _npm(tmp_path: Path) -> Path:
    """A stand-in for build/npm/node_modules with the files the decks copy."""
    modules = tmp_path / "node_modules"
    for name in ("reveal.js/dist/reveal.js", "reveal.js/dist/theme/white.css",
                 "reveal.js/plugin/notes/notes.js", "mathjax/es5/tex-chtml.js",
                 "mathjax/es5/output/chtml/fonts/woff-v2/x.woff"):
        (modules / name).parent.mkdir(parents=True, exist_ok=True)
        (modules / name).write_text("/* stand-in */", encoding="utf-8")
    return modules


def test_team_slides_say_what_is_wrong_in_one_sentence(tmp_path, capsys):
    released = team_notebooks.TEAMS_DIR / A / NB
    assert team_slides.main([str(tmp_path / "nowhere.ipynb"), "--out", str(tmp_path)]) == 2
    err = capsys.readouterr().err
    assert "There is no notebook at" in err and "Traceback" not in err
    assert team_slides.main([str(released), "--out", str(tmp_path / "s"), "--modules",
                             str(tmp_path / "empty")]) == 2
    assert "reveal.js is not installed" in capsys.readouterr().err
    assert not (tmp_path / "s").exists()  # no unstyled deck written
    _, team = team_slides.deck_notebook(team_slides.read_team_notebook(released))
    assert team == "(write your team's name in the TEAM cell)"


def _zip(path: Path, entries: dict[str, bytes]) -> Path:
    with zipfile.ZipFile(path, "w") as zf:
        for name, data in entries.items():
            zf.writestr(zipfile.ZipInfo(name, date_time=(2026, 3, 2, 18, 5, 0)), data)
    return path


@pytest.mark.filterwarnings("ignore::sqlalchemy.exc.SAWarning")
def test_team_assessment_end_to_end(repo_root, tmp_path, capsys):
    from nbgrader.api import Gradebook

    from migdata import datasets
    from test_course_e2e import add_students, make_course

    course = make_course(repo_root, tmp_path, [])
    # class 3: the lecturer adds the team notebooks to the course
    assert team_notebooks.main(["--out", str(tmp_path / "assignments" / "source")]) == 0
    assert main(["--course-dir", str(course), "generate", A]) == 0
    released = course / "release" / A / NB
    student_text = released.read_text(encoding="utf-8")
    assert "Marking notes" not in student_text and "YOUR ANSWER HERE" in student_text
    # one class before: the teams are formed and each takes a topic
    teams = tmp_path / "teams.csv"
    teams.write_text("student_id,team,presentation\n1234,A,\n1240,A,\n1251,B,\n1260,B,\n",
                     encoding="utf-8")
    team_a = _fill(released, "A", ["1234", "1240"], "We chose WPP 2024 for all three.",
                   "Azerbaijan's 2023 value stands out.")
    team_b = _fill(released, "B", ["1251", "1260"], "Geostat and WPP.", "Georgia differs.")
    # Moodle group hand-in: each member of A has the team's file; only 1251 of B handed in
    archive = _zip(tmp_path / "moodle.zip", {
        f"Aysel Mammadova_1234_assignsubmission_file/{NB}": team_a,
        f"Giorgi Beridze_1240_assignsubmission_file/{NB}": team_a,
        f"Nino Kapanadze_1251_assignsubmission_file/{NB}": team_b,
    })
    assert main(["--course-dir", str(course), "import-zip", A, str(archive)]) == 0
    add_students(course, ["1260"])
    assert main(["--course-dir", str(course), "autograde", A, "--quiet", "--workers", "2"]) == 0

    # the fact check and the slides, from the handed-in notebook (read as JSON, never run)
    submitted = course / "submitted" / "1234" / A / NB
    parts = team_slides.read_team_notebook(submitted)
    assert parts["TEAM"].split()[0] == "A" and parts["relevance"].startswith("We chose")
    checks = teamwork.fact_check(parts["FIGURES"], parts["DATA"])
    assert list(checks["verdict"]) == ["matches", "matches", "not found", "no figure"]
    deck = team_slides.build(submitted, tmp_path / "slides", modules=_npm(tmp_path))
    html = deck.path.read_text(encoding="utf-8")
    assert deck.team == "A" and deck.path.name == "team_A.html" and deck.slides >= 5
    assert (tmp_path / "slides" / "reveal.js" / "dist" / "reveal.js").is_file()
    # the key rows (the figures' own), numbers formatted, units named, no bookkeeping or advice
    wpp = datasets.load("wpp_net_migration", country="AZE", year=2023).iloc[0]["net_migration"]
    assert f"<td>{wpp:,.3f}</td>".replace("0</td>", "</td>") in html
    assert "net_migration (thousand persons)" in html
    assert "source_row" not in html and "Name this source" not in html
    assert not re.search(r"<td>-?\d+\.0</td>|<td>(True|False)</td>", html)
    for text in ("Key figures", "Why these data", "What we found", "not found",
                 "UN World Population Prospects 2024", "Team A: 1234, 1240"):
        assert text in html, text

    # the lecturer marks one copy per team in the formgrader (here: in the gradebook)
    db = f"sqlite:///{course / 'gradebook.db'}"

    def mark(student: str, relevance: float, analysis: float) -> None:
        with Gradebook(db, "migdata-module2") as gb:
            for nb in gb.find_submission(A, student).notebooks:
                for grade in nb.grades:
                    if grade.name in ("relevance", "analysis"):
                        assert grade.max_score == {"relevance": 20, "analysis": 30}[grade.name]
                        grade.manual_score = relevance if grade.name == "relevance" else analysis
                        grade.needs_manual_grade = False
            gb.db.commit()

    mark("1234", 16, 24)
    mark("1251", 12, 20)
    # an assignment the gradebook does not hold: said, and the command fails
    assert team_grading.main(["--course-dir", str(course), "spread", "team_nowhere",
                              str(teams)]) == 2
    assert "'team_nowhere' is not in the gradebook" in capsys.readouterr().err
    assert team_grading.main(["--course-dir", str(course), "spread", A, str(teams)]) == 0
    said = capsys.readouterr().out
    assert "team B: relevance 12, analysis 20" in said and "1260 had no copy" in said
    spread = spread_team_marks(course, A, teams)  # again: nothing left to copy
    assert spread["A"].marks == {"relevance": 16, "analysis": 24}
    assert spread["B"].without_copy == [] and spread["B"].copied == []
    with Gradebook(db, "migdata-module2") as gb:
        assert gb.find_submission(A, "1240").score == 40
        # Moodle's group submission left 1260 without a copy: given the team's, never a 0
        assert gb.find_submission(A, "1260").score == 32
    assert (course / "submitted" / "1260" / A / NB).read_bytes() == team_b
    # two copies of a team marked differently: refused
    mark("1240", 15, 24)
    with pytest.raises(InvalidInputError, match="different marks for 'relevance'"):
        spread_team_marks(course, A, teams)
    mark("1240", 16, 24)

    # in the room: presentation 10 per team; participation 4 x 10 per student
    teams.write_text("student_id,team,presentation\n1234,A,8\n1240,A,\n1251,B,6\n1260,B,\n",
                     encoding="utf-8")
    sheet = tmp_path / "participation_by_class.csv"
    sheet.write_text("student_id,class1,class2,class3,class4\n1234,10,9,8,7\n1240,5,5,5,5\n"
                     "1251,10,10,10,10\n1260,0,0,0,0\n", encoding="utf-8")
    participation_total(sheet, tmp_path / "participation.csv")
    # the grading worksheet as Moodle gives it (its maximum grade set to the curriculum's 100)
    from test_moodle_worksheet import EN, moodle_download

    worksheet = tmp_path / "moodle_worksheet.csv"
    worksheet.write_bytes(moodle_download(EN, [
        {"participant": p, "name": f"Student {p}"} for p in ("1234", "1240", "1251", "1260")],
        max_grade=100))
    capsys.readouterr()
    assert main(["--course-dir", str(course), "export", str(tmp_path / "final.csv"),
                 "--assignment", A, "--marks", str(tmp_path / "participation.csv"),
                 "--teams", str(teams), "--moodle-worksheet", str(worksheet)]) == 0
    final = pd.read_csv(tmp_path / "final.csv", dtype={"student_id": "string"}).set_index(
        "student_id")
    assert final.loc["1234", "final"] == 16 + 24 + 8 + (10 + 9 + 8 + 7)
    assert final.loc["1240", "final"] == 16 + 24 + 8 + 20
    assert final.loc["1251", "final"] == 12 + 20 + 6 + 40
    assert final.loc["1260", "final"] == 12 + 20 + 6 + 0  # the team's copy, not a missing 0
    assert final.loc["1240", "team"] == "A" and final.loc["1240", "presentation"] == 8
    with worksheet.open(encoding="utf-8-sig", newline="") as fh:
        rows = {r["Identifier"]: r for r in csv.DictReader(fh)}
    # Moodle gets each member's final mark out of 100, with its parts in words
    assert rows["Participant 1234"]["Grade"] == f"{16 + 24 + 8 + 34:.2f}"
    assert rows["Participant 1240"]["Grade"] == f"{16 + 24 + 8 + 20:.2f}"
    assert rows["Participant 1251"]["Grade"] == f"{12 + 20 + 6 + 40:.2f}"
    assert rows["Participant 1240"]["Maximum grade"] == "100.00"
    assert "presentation 8 of 10, participation 20 of 40: 68 of 100" in (
        rows["Participant 1240"]["Feedback comments"])

    # a class not marked yet: that student is named and left out; the others are exported
    sheet.write_text("student_id,class1,class2,class3,class4\n1234,10,9,8,7\n1240,5,5,5,5\n"
                     "1251,10,10,10,10\n1260,0,0,0,\n", encoding="utf-8")
    assert team_grading.main(["participation", str(sheet),
                              str(tmp_path / "participation.csv")]) == 0
    assert "1260: class4 not marked yet" in capsys.readouterr().out
    assert main(["--course-dir", str(course), "export", str(tmp_path / "final.csv"),
                 "--assignment", A, "--marks", str(tmp_path / "participation.csv"),
                 "--teams", str(teams)]) == 0
    final = pd.read_csv(tmp_path / "final.csv", dtype={"student_id": "string"}).set_index(
        "student_id")
    assert pd.isna(final.loc["1260", "final"]) and final.loc["1251", "final"] == 78


def test_team_file_messages_list_students_in_words(tmp_path, capsys):
    """Messages to the lecturer carry no Python lists."""
    sheet = tmp_path / "t.csv"
    sheet.write_text("student_id,team\n1,A\n1,B\n2,A\n2,B\n", encoding="utf-8")
    with pytest.raises(InvalidInputError) as err:
        read_team_members(sheet)
    assert str(err.value).endswith("more than once: 1, 2")
