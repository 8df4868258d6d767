"""A shared base for Mandature's management commands."""

import sys
import time

from django.core.management.base import BaseCommand, CommandError


class DataError(CommandError):
    """Bad input: the message names the file and what is wrong. Exits with status 2."""

    def __init__(self, message: str):
        super().__init__(message, returncode=2)


def refused(path, error: Exception) -> CommandError:
    """Print a bad file's problems on stderr (one per line, `FILE:LINE: column « NAME »: …`)
    and return the error that ends the command with status 2."""
    for line in str(error).splitlines():
        sys.stderr.write(line + "\n")
    return CommandError(f"{path} : import refusé, la base n'a pas changé", returncode=2)


class MandatureCommand(BaseCommand):
    """Every command has help text and an example, and ends with a one-line summary."""

    example = ""

    def create_parser(self, prog_name, subcommand, **kwargs):
        parser = super().create_parser(prog_name, subcommand, **kwargs)
        if self.example:
            parser.epilog = f"Exemple : {self.example}"
        return parser

    def execute(self, *args, **options):
        self._started = time.monotonic()
        return super().execute(*args, **options)

    def elapsed(self) -> str:
        return f"{time.monotonic() - self._started:.1f} s".replace(".", ",")

    def summary(self, text: str) -> None:
        """The last line a command prints."""
        self.stdout.write(f"{text} ({self.elapsed()})")

    def progress(self, text: str) -> None:
        if sys.stderr.isatty():
            self.stderr.write(f"\r{text}", ending="")
