"""nbgrader configuration of the migdata Module 2 course.

This file is read by ``nbgrader`` (run from this folder) and by ``migdata-course``
(``--course-dir autograder``, the default when run from the repository root). Every path is
anchored on this folder, so both work from anywhere. The lecturer's guide is ``README.md`` here.
"""

import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))

# nbgrader runs the `alembic` command when it creates the gradebook (the formgrader's first
# open, `nbgrader db student import`): put the folder of the Python running nbgrader first on
# PATH, so it is found however Jupyter was started (a virtual environment not activated, a hub)
_BIN = os.path.dirname(sys.executable)
if _BIN not in os.environ.get("PATH", "").split(os.pathsep):
    os.environ["PATH"] = os.pathsep.join([_BIN, os.environ.get("PATH", "")])

c = get_config()  # noqa: F821 (injected by traitlets when the file is loaded)

# --- the course --------------------------------------------------------------------------------
c.CourseDirectory.course_id = "migdata-module2"
c.CourseDirectory.root = HERE
# instructor versions live in the repository's assignments/source/<assignment>/; the installed
# package does not contain them: copy assignments/ next to this folder, or put their path here
c.CourseDirectory.source_directory = os.path.normpath(
    os.path.join(HERE, "..", "assignments", "source")
)
# release/, submitted/, autograded/, feedback/ and gradebook.db are created here (not committed)
c.CourseDirectory.db_url = "sqlite:///" + os.path.join(HERE, "gradebook.db")

# --- execution of student notebooks -----------------------------------------------------------
c.Execute.kernel_name = "python3"
# an answer cell's model answer (between BEGIN/END SOLUTION) becomes an empty line in the student
# version: the student writes the answer there, below the cell's `%%answer` line (no code)
c.ClearSolutions.code_stub = {"python": ""}
# seconds a single cell may run before it is interrupted (an endless loop scores zero on that cell)
c.Execute.timeout = 60
# a kernel that dies is not restarted: the submission is reported as "kernel died" instead
c.Execute.execute_retries = 0
# no history file; the kernel's own start-up warnings stay out of the lecturer's report
c.Execute.extra_arguments = ["--HistoryManager.hist_file=:memory:", "--IPKernelApp.log_level=ERROR"]

# --- late hand-ins: what a hand-in after the due date (--due) loses -------------------------------
# "none" (nbgrader's default): late work is only reported; "zero": a late notebook scores 0.
# Remove the "# " to choose; `export`, `feedback` and `report` apply it to the current score.
# c.LateSubmissionPlugin.penalty_method = "none"

# --- times in exports and reports: the course's time zone (IANA name; Baku is UTC+4) ----------
c.MigdataCourse.timezone = "Asia/Baku"

# --- JupyterHub / The Littlest JupyterHub with the exchange (see README.md) ---------------------
# c.Exchange.root = "/srv/nbgrader/exchange"
# c.Exchange.path_includes_course = True

# --- LMS-only courses: `nbgrader zip_collect` / `migdata-course import-zip` ---------------------
# Moodle "Download all submissions" names each file (migdata-course import-zip reads all three;
# this is for plain `nbgrader zip_collect`)
#   4.1+: "<Full Name>_<participant id>_assignsubmission_file/<notebook>.ipynb"
#   3.x:  "<Full Name>_<participant id>_assignsubmission_file_/<notebook>.ipynb"; older: flat "..._"
c.FileNameCollectorPlugin.named_regexp = (
    r".*[/\\](?P<full_name>[^/\\]+?)_(?P<student_id>\d+)_assignsubmission_file"
    r"(?:_[/\\]|[/\\]|_)(?P<file_id>[^/\\]+\.ipynb)$"
)
c.ZipCollectApp.archive_directory = "archive"
c.ZipCollectApp.extracted_directory = "extracted"

# --- feedback: students never see the hidden tests, nor an earlier hand-in's marks (the
# formgrader's "generate feedback" too) ---
try:
    from nbconvert.preprocessors import CSSHTMLHeaderPreprocessor
    from nbgrader.preprocessors import GetGrades

    from migdata.grading.feedback import HideHiddenTests, RefuseUngradedFeedback

    # no page for a student whose newest hand-in was not graded: it would show an earlier
    # hand-in's marks (nbgrader logs an error for that student and makes the others')
    c.GenerateFeedback.preprocessors = [RefuseUngradedFeedback, GetGrades,
                                        CSSHTMLHeaderPreprocessor, HideHiddenTests]
except ImportError:  # the kit is not installed where nbgrader runs: plain nbgrader feedback
    pass

# --- what the formgrader and the feedback show: nothing active from students --------------------
# outputs: JavaScript outputs and widgets are left out, HTML and SVG outputs cleaned; Markdown cells
# (written answers): rendered and cleaned by the kit's SafeMarkdown (nbgrader's own pages render
# Markdown without cleaning it). Applies to the formgrader, feedback and nbgrader's HTML exports.
c.HTMLExporter.sanitize_html = True
try:
    from migdata.grading.safehtml import SafeMarkdown

    c.HTMLExporter.preprocessors = [SafeMarkdown]
except ImportError:  # the kit is not installed where nbgrader runs: outputs cleaned, Markdown not
    pass
