"""The Kubernetes configuration (autograder/k8s/) checked without a cluster (issue 22).

``config.yaml`` is merged over the chart's default values, as Helm does, and validated against
the chart's values schema, both stored in ``tests/fixtures/z2jh/`` with their source and version
(``SOURCE.md`` there). Then what the schema cannot see: somebody can log in, the instructor's
course folder is made on the first start and never overwritten, the image has bubblewrap and the
grader, and grading runs in a Job of its own with no credential in it.
"""

from __future__ import annotations

import copy
import json
import subprocess
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[1]
K8S = ROOT / "autograder" / "k8s"
Z2JH = ROOT / "tests" / "fixtures" / "z2jh"


def _merge(base: dict, over: dict) -> dict:
    """Helm's merge of user values over the chart's: maps merged, anything else replaced."""
    out = copy.deepcopy(base)
    for key, value in over.items():
        if value is None:
            out.pop(key, None)
        elif isinstance(value, dict) and isinstance(out.get(key), dict):
            out[key] = _merge(out[key], value)
        else:
            out[key] = copy.deepcopy(value)
    return out


@pytest.fixture(scope="module")
def values() -> dict:
    return yaml.safe_load((K8S / "config.yaml").read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def validator():
    jsonschema = pytest.importorskip("jsonschema")
    schema = json.loads((Z2JH / "values.schema.json").read_text(encoding="utf-8"))
    return jsonschema.Draft7Validator(schema)


def test_values_pass_the_charts_schema(values, validator):
    defaults = json.loads((Z2JH / "values.defaults.json").read_text(encoding="utf-8"))
    merged = _merge(defaults, values)
    errors = sorted(validator.iter_errors(merged), key=lambda e: list(e.path))
    assert not errors, "\n".join(f"{list(e.path)}: {e.message}" for e in errors)
    # the schema does catch mistakes: a misspelt key and a wrong type are refused
    bad = _merge(merged, {"singleuser": {"lifecycleHook": {}}})
    assert any("lifecycleHook" in e.message for e in validator.iter_errors(bad))
    bad = _merge(merged, {"cull": {"timeout": "an hour"}})
    assert list(validator.iter_errors(bad))


def test_the_stored_schema_names_its_source():
    source = (Z2JH / "SOURCE.md").read_text(encoding="utf-8")
    assert "jupyterhub/zero-to-jupyterhub-k8s" in source
    assert "48ea50e34daddde55d76e30df6ecd47e4abd4d8e" in source and "BSD 3-Clause" in source


def test_somebody_can_log_in_and_not_everybody(values):
    auth = values["hub"]["config"]["Authenticator"]
    assert auth["allowed_users"], "an empty allowed_users lets in the admins only (JupyterHub 5)"
    assert auth.get("allow_all") is False
    assert auth["admin_users"] == [], "nobody is a hub admin (an admin opens students' servers)"
    instructor = values["hub"]["loadRoles"]["instructor"]["users"][0]
    assert instructor in auth["allowed_users"]
    roles = values["hub"]["extraConfig"]["migdata-roles.py"]
    assert f'INSTRUCTORS = {{"{instructor}"}}' in roles
    assert "PASSWORD" not in (K8S / "config.yaml").read_text(encoding="utf-8")


def test_the_instructors_course_folder_is_made_on_the_first_start_only(values, tmp_path):
    command = values["singleuser"]["lifecycleHooks"]["postStart"]["exec"]["command"]
    assert command[:2] == ["sh", "-c"]
    image_copy = tmp_path / "opt" / "course"
    (image_copy / "autograder").mkdir(parents=True)
    (image_copy / "autograder" / "nbgrader_config.py").write_text("# image\n")
    script = command[2].replace("/opt/migdata/course", str(image_copy))
    home = tmp_path / "home"
    home.mkdir()

    def start(role: str) -> None:
        subprocess.run(["sh", "-c", script], env={"HOME": str(home), "MIGDATA_ROLE": role},
                       check=True)

    start("student")
    assert not (home / "module2-course").exists()
    start("instructor")
    config = home / "module2-course" / "autograder" / "nbgrader_config.py"
    assert config.read_text() == "# image\n"
    config.write_text("# the instructor's own\n")
    start("instructor")  # the next start keeps the instructor's work
    assert config.read_text() == "# the instructor's own\n"
    roles = values["hub"]["extraConfig"]["migdata-roles.py"]
    assert 'spawner.environment["MIGDATA_ROLE"] = "instructor"' in roles
    formgrader = values["singleuser"]["extraFiles"]["instructor-nbgrader-config"]
    assert "module2-course/autograder" in formgrader["stringData"]


def test_the_image_has_bubblewrap_and_the_grader():
    dockerfile = (K8S / "Dockerfile").read_text(encoding="utf-8")
    assert "apt-get install" in dockerfile and "bubblewrap" in dockerfile
    assert '[course]"' in dockerfile and "ngshare-exchange" in dockerfile
    assert "/opt/migdata/course" in dockerfile
    assert dockerfile.rstrip().splitlines()[-1].startswith("USER ${NB_UID}")  # not root


def test_grading_runs_in_a_job_of_its_own_without_credentials():
    job = yaml.safe_load((K8S / "grading-job.yaml").read_text(encoding="utf-8"))
    assert job["kind"] == "Job"
    pod = job["spec"]["template"]["spec"]
    assert pod["automountServiceAccountToken"] is False
    (container,) = pod["containers"]
    assert container["command"][:1] == ["migdata-course"] and "autograde" in container["command"]
    assert "--no-sandbox" not in container["args"]
    assert container.get("env") == [] and "envFrom" not in container
    assert not any("secret" in v for v in pod["volumes"])
    assert pod["volumes"][0]["persistentVolumeClaim"]["claimName"].startswith("claim-")
    postgres = (K8S / "gradebook-postgresql.py").read_text(encoding="utf-8")
    assert "MIGDATA_GRADEBOOK_PASSWORD_FILE" in postgres
    assert 'os.environ["MIGDATA_GRADEBOOK_PASSWORD"]' not in postgres
