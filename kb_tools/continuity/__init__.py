"""Reports on knowledge continuity: review dashboard, ownership map, handover report.

Core logic only; the CLI (kb_tools/commands/continuity.py) and the MkDocs plugin render them.
"""
