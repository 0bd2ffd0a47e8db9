"""deploy/: the process definitions name commands that exist here, one beat, and settings the README knows."""

import re
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent
DEPLOY = BASE_DIR / "deploy"


def procfile() -> dict[str, str]:
    lines = (DEPLOY / "Procfile").read_text().splitlines()
    return dict(line.split(": ", 1) for line in lines if line and not line.startswith("#"))


def test_the_procfile_runs_web_workers_and_exactly_one_beat():
    processes = procfile()
    assert set(processes) == {"release", "web", "worker", "beat"}
    assert processes["web"].startswith("gunicorn config.wsgi")
    beats = [name for name, command in processes.items() if re.search(r"celery .*\bbeat\b|\s-B\b", command)]
    assert beats == ["beat"]


def test_each_systemd_unit_starts_a_command_installed_with_the_requirements():
    units = {path.name: path.read_text() for path in (DEPLOY / "systemd").glob("*.service")}
    assert set(units) == {
        "smartregions-web.service",
        "smartregions-worker@.service",
        "smartregions-beat.service",
        "smartregions-release.service",
    }
    starts = {name: re.search(r"^ExecStart=(\S+)", text, re.M).group(1) for name, text in units.items()}
    assert starts["smartregions-web.service"].endswith("/.venv/bin/gunicorn")
    assert starts["smartregions-worker@.service"].endswith("/.venv/bin/celery")
    assert " beat " in units["smartregions-beat.service"] and " beat " not in units["smartregions-worker@.service"]
    requirements = (BASE_DIR / "requirements.txt").read_text().lower()
    assert "gunicorn" in requirements and "celery" in requirements
    for text in units.values():
        assert "EnvironmentFile=/etc/smartregions/env" in text


def test_every_variable_of_the_example_environment_is_in_the_readme_table():
    names = set(re.findall(r"^([A-Z_]+)=", (DEPLOY / "env.example").read_text(), re.M)) - {"WORKER_CONCURRENCY"}
    readme = (BASE_DIR / "README.md").read_text()
    documented = set(re.findall(r"^\| `([A-Z_]+)`", readme, re.M)) | set(
        re.findall(r"^\| `[A-Z_]+` / `([A-Z_]+)`", readme, re.M)
    )
    assert names - documented == set()
