"""Settings, split by topic. Every value comes from the environment through config.env, with a default
that runs the embedded setup (SQLite, a filesystem Celery broker, media on the local disk)."""

from .api import *  # noqa: F401,F403
from .base import *  # noqa: F401,F403
from .celery import *  # noqa: F401,F403
from .classifier import *  # noqa: F401,F403
from .dashboards import *  # noqa: F401,F403
from .database import *  # noqa: F401,F403
from .media import *  # noqa: F401,F403
from .security import *  # noqa: F401,F403
