"""Settings, all read from the environment (the README's « Configuration » table; docs/deployment.md for production)."""

from .base import *  # noqa: F401,F403
