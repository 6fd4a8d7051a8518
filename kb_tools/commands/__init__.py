"""The ``kb`` subcommands by area; ``kb_tools.cli`` imports each module, which attaches to ``main``."""
