"""All test factories, one place: import from ``tests.factories``."""

from .coalitions import *  # noqa: F403
from .meetings import *  # noqa: F403
from .notifications import *  # noqa: F403
from .practices import *  # noqa: F403
