"""The `mandature` console command: the project's management commands, with friendlier names.

`mandature load-territories` runs the Django command `load_territories`; `mandature check` (without
options) runs `deploy-check`, Django's deployment checks and ours; any other Django command
(`migrate`, `check --deploy`, …) is passed through unchanged.
"""

import os
import sys

import django
from django.core.management import execute_from_command_line, get_commands, load_command_class

PROJECT_APPS_PREFIX = "mandature."


def project_commands() -> dict[str, str]:
    """Map the public (hyphenated) name of each project command to its app label."""
    return {
        name.replace("_", "-"): app
        for name, app in get_commands().items()
        if app.startswith(PROJECT_APPS_PREFIX)
    }


def print_help() -> None:
    print("usage : mandature COMMANDE [options]\n")
    print("Commandes de Mandature (mandature COMMANDE --help pour l'aide et un exemple) :")
    for name, app in sorted(project_commands().items()):
        command = load_command_class(app, name.replace("-", "_"))
        first_line = (command.help or "").strip().split(". ")[0].rstrip(".")
        print(f"  {name:<22} {first_line}")
    print("\nToutes les commandes de Django sont aussi disponibles (mandature migrate, …).")


def main(argv: list[str] | None = None) -> None:
    argv = list(sys.argv if argv is None else argv)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "mandature.settings")
    django.setup()
    if len(argv) < 2 or argv[1] in {"-h", "--help", "help"}:
        print_help()
        return
    name = argv[1]
    if name == "check" and not argv[2:]:  # `mandature check`: ready for production?
        name = "deploy_check"
    elif name.replace("_", "-") in project_commands():
        name = name.replace("-", "_")
    execute_from_command_line([argv[0], name, *argv[2:]])


if __name__ == "__main__":
    main()
