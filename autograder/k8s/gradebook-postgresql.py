# Optional: the gradebook in PostgreSQL instead of the SQLite file of the course folder, for
# several markers using the formgrader at once. Append to the instructor's
# autograder/nbgrader_config.py; needs the kit's postgres extra: pip install
# "migdata[course,postgres]". tests/test_postgres.py grades into a real PostgreSQL server and gets
# the grades SQLite gives.
#
# The password is read from a file (a Kubernetes secret mounted read-only into the instructor's
# server), never from an environment variable, which every process of the pod inherits.
# `migdata-course autograde` grades SQLite gradebooks only (its workers grade into private
# copies); with PostgreSQL, grading in the Job of grading-job.yaml is not possible yet, so keep
# the SQLite default unless several people mark at once.
import os

c = get_config()  # noqa: F821
with open(os.environ.get("MIGDATA_GRADEBOOK_PASSWORD_FILE",
                         "/etc/migdata/gradebook/password"), encoding="utf-8") as _fh:
    _password = _fh.read().strip()
c.CourseDirectory.db_url = "postgresql+psycopg2://nbgrader:{password}@{host}:5432/gradebook".format(
    password=_password,  # never commit the password
    host=os.environ.get("MIGDATA_GRADEBOOK_HOST", "gradebook-postgresql"),
)
