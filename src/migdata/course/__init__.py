"""Lecturer tools for the nbgrader course (``migdata-course``) and the course preview."""
