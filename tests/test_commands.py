"""Every management command of ours builds its parser and answers --help, and every command the README
names is one of them. The commands' own behaviour is tested where their app is (tests/<app>/)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command, get_commands, load_command_class

OUR_APPS = ("accounts", "core", "taxonomy", "annotation", "classifier", "dashboards")
README = Path(settings.BASE_DIR) / "README.md"


def _our_commands() -> dict[str, str]:
    return {name: app for name, app in get_commands().items() if app.split(".")[0] in OUR_APPS}


def test_we_have_the_commands_we_expect():
    assert {"create_user", "train", "evaluate", "prelabel", "import_clips", "make_demo_data"} <= set(_our_commands())


@pytest.mark.parametrize("name", sorted(_our_commands()))
def test_every_command_of_ours_answers_help(name, capsys):
    """Building the parser is where a clash with Django's own options (--version) used to crash."""
    command = load_command_class(_our_commands()[name], name)
    parser = command.create_parser("manage.py", name)
    with pytest.raises(SystemExit) as exit_info:
        parser.parse_args(["--help"])
    assert exit_info.value.code == 0
    out = capsys.readouterr().out
    assert out.startswith(f"usage: manage.py {name}") and command.help.split()[0] in out


def test_the_readme_names_only_commands_we_have():
    named = set(re.findall(r"manage\.py (\w+)", README.read_text(encoding="utf-8")))
    assert named, "the README names no command"
    assert named - {"check"} <= set(_our_commands()), named - set(_our_commands())


def test_create_user_as_the_readme_shows(db):
    from django.contrib.auth import get_user_model

    from accounts.roles import TAXONOMY_EDITOR

    call_command("create_user", "maria", "--role", "editor", "--password", "a-long-test-password")
    maria = get_user_model().objects.get(username="maria")
    assert maria.check_password("a-long-test-password") and maria.groups.filter(name=TAXONOMY_EDITOR).exists()


def test_demo_logins_prints_every_demo_user(capsys):
    from core.demo import DEMO_PASSWORD, DEMO_USERS

    call_command("demo_logins")
    out = capsys.readouterr().out
    assert DEMO_PASSWORD in out and all(user in out for user, _ in DEMO_USERS)
