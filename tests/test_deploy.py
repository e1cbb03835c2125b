"""What can be checked of the deployment without a Docker engine: production settings pass Django's
deploy checks, and the compose file parses and names only images, files and commands that exist."""

import os
import re
import subprocess
import sys
from pathlib import Path

import yaml

from core.queues import Queue

ROOT = Path(__file__).resolve().parents[1]


def test_production_settings_pass_check_deploy():
    env = {k: v for k, v in os.environ.items() if k != "DJANGO_ALLOW_ASYNC_UNSAFE"}  # set by the browser tests
    env = {
        **env,
        "DJANGO_SECURE": "1",
        "DJANGO_SECRET_KEY": "x" * 20 + "-a-long-random-production-key-9f8e7d",
        "DJANGO_ALLOWED_HOSTS": "clipcat.example.com",
        "DJANGO_DEBUG": "0",
    }
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_compose_file_names_only_what_exists():
    compose = yaml.safe_load((ROOT / "docker" / "compose.yml").read_text())
    services = compose["services"]
    assert {"web", "worker", "worker-gpu", "beat", "db", "redis"} <= set(services)
    for name, service in services.items():
        if "build" in service:
            assert (ROOT / "docker" / service["build"]["context"] / service["build"]["dockerfile"]).is_file(), name
        else:
            assert service["image"].split(":")[0] in {"postgres", "redis"}, name
        assert "healthcheck" in service or name in {"worker-gpu", "beat"}, f"{name} has no health check"
        command = service.get("command", "")
        if "celery" in command:
            assert "-A config" in command and (ROOT / "config" / "celery.py").is_file()
            for queues in re.findall(r"-Q (\S+)", command):
                assert set(queues.split(",")) <= {q.value for q in Queue}, command
        if "gunicorn" in command:
            assert "config.wsgi" in command and (ROOT / "config" / "wsgi.py").is_file()
    assert services["worker-gpu"]["deploy"]["resources"]["reservations"]["devices"][0]["driver"] == "nvidia"
    assert set(compose["volumes"]) == {"clipcat-data", "postgres-data", "redis-data"}


def test_dockerfile_copies_what_exists_and_runs_unprivileged():
    text = (ROOT / "docker" / "Dockerfile").read_text()
    for source in re.findall(r"^COPY (?!--)(\S+) ", text, flags=re.M):
        if source != ".":
            assert (ROOT / source).exists(), source
    assert re.search(r"^USER clipcat$", text, flags=re.M)
    assert "HEALTHCHECK" in text
