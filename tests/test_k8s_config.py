"""The Kubernetes configuration (autograder/k8s/) checked without a cluster (issue 22).

``config.yaml`` is merged over the chart's default values, as Helm does, and validated against
the chart's values schema, both stored in ``tests/fixtures/z2jh/`` with their source and version
(``SOURCE.md`` there). Then what the schema cannot see: somebody can log in, the instructor's
course folder is made on the first start and never overwritten, the image has bubblewrap and the
grader, and grading runs in a Job of its own with no credential in it.
"""

from __future__ import annotations

import copy
import importlib.util
import json
import os
import subprocess
import sys
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


def _exchange_seen(course: Path, env: dict[str, str]) -> str:
    """What migdata-course makes of the course's configuration in an environment."""
    probe = ("import sys\nfrom migdata.grading.config import load_config\n"
             "from migdata.grading.ngshare import ngshare_url, uses_ngshare\n"
             "cfg = load_config(sys.argv[1])\n"
             "print('ngshare ' + ngshare_url(cfg) if uses_ngshare(cfg) else 'folder')\n")
    keep = {k: v for k, v in os.environ.items() if k in ("PATH", "PYTHONPATH", "HOME", "LANG")}
    done = subprocess.run([sys.executable, "-c", probe, str(course)], env={**keep, **env},
                          capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stderr[-2000:]
    return done.stdout.strip().splitlines()[-1]


def test_the_courses_config_in_the_image_uses_ngshare_in_a_users_server_only(tmp_path):
    if importlib.util.find_spec("ngshare_exchange") is None:
        pytest.skip("needs ngshare_exchange (make test installs ngshare-exchange --no-deps)")
    dockerfile = (K8S / "Dockerfile").read_text(encoding="utf-8")
    assert ("cat /opt/migdata/src/autograder/k8s/nbgrader_ngshare.py" in dockerfile
            and ">> /opt/migdata/course/autograder/nbgrader_config.py" in dockerfile)
    course = tmp_path / "autograder"
    course.mkdir()
    (course / "nbgrader_config.py").write_text(
        (ROOT / "autograder" / "nbgrader_config.py").read_text(encoding="utf-8") + "\n"
        + (K8S / "nbgrader_ngshare.py").read_text(encoding="utf-8"), encoding="utf-8")
    # a terminal of the instructor's server in a pod of the chart
    assert _exchange_seen(course, {"JUPYTERHUB_USER": "lecturer",
                                   "PROXY_PUBLIC_SERVICE_HOST": "proxy-public"}) == \
        "ngshare http://proxy-public/services/ngshare"
    assert _exchange_seen(course, {"JUPYTERHUB_USER": "lecturer", "MIGDATA_NGSHARE_URL":
                                   "http://127.0.0.1:9/services/ngshare/"}) == \
        "ngshare http://127.0.0.1:9/services/ngshare"
    # the grading Job: no hub user, no USER; the configuration still loads
    assert _exchange_seen(course, {}) == "folder"
