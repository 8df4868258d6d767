"""Settings, all read from the environment: the README's « Configuration » table lists them,
docs/deployment.md says what to set in production."""

from .base import *  # noqa: F403
