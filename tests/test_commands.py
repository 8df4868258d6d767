"""Every project command has help text with an example; the console command lists them."""

import subprocess
import sys

import pytest
from django.core.management import load_command_class

from mandature.cli import project_commands

COMMANDS = sorted(project_commands().items())


@pytest.mark.parametrize(("name", "app"), COMMANDS, ids=[n for n, _ in COMMANDS])
def test_each_command_has_help_and_example(name, app):
    command = load_command_class(app, name.replace("-", "_"))
    assert command.help and len(command.help) > 20
    assert command.example.startswith(f"mandature {name}")
    help_text = command.create_parser("mandature", name).format_help()
    assert "Exemple : mandature" in help_text


def test_console_help_lists_every_command():
    done = subprocess.run(
        [sys.executable, "-m", "mandature.cli", "--help"],
        capture_output=True,
        text=True,
        check=True,
    )
    for name, _app in COMMANDS:
        assert name in done.stdout
    assert "load-territories" in done.stdout
