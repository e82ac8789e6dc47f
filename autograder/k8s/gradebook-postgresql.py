# Append to the instructor's autograder/nbgrader_config.py to keep the gradebook in PostgreSQL
# (tested: tests/test_postgres.py grades into a real PostgreSQL server and gets the grades SQLite
# gives). Needs the kit's postgres extra: pip install "migdata[course,postgres]".
import os

c = get_config()  # noqa: F821
c.CourseDirectory.db_url = (
    "postgresql+psycopg2://nbgrader:{password}@{host}:5432/gradebook".format(
        password=os.environ["MIGDATA_GRADEBOOK_PASSWORD"],   # never commit the password
        host=os.environ.get("MIGDATA_GRADEBOOK_HOST", "gradebook-postgresql"),
    )
)
