"""Rule families. Importing this package registers every rule (explicit imports, no magic)."""

from . import links, metadata, parse, site, staleness  # noqa: F401
from . import external  # noqa: F401
from . import roster  # noqa: F401

try:  # rule families added by later modules register themselves the same way
    from . import secrets  # noqa: F401
except ImportError:  # pragma: no cover - until the secrets family exists
    pass
