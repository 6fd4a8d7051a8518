"""Secrets and personal data in pages (the ``secret.*`` rules).

``scan`` is a page analyzer (see ``kb_tools.pageparse.ANALYZER_MODULES``): it runs in the parse
workers and stores config-independent, masked candidate hits in ``page.extra["secrets"]``;
``kb_tools.checks.secrets`` applies the configuration (allow-lists, severities) and emits findings.
"""
