"""Development: the defaults in base are already safe for a laptop."""

from .base import *  # noqa: F403
