"""Settings, all read from the environment (see docs/configuration.md)."""

from .base import *  # noqa: F401,F403
