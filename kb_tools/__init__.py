"""kb-tools: a docs-as-code knowledge base toolkit (checks, review cycles, Japanese search)."""

from __future__ import annotations

__version__ = "0.1.0"

__all__ = ["__version__"]
