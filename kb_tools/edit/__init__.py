"""Editing commands' core: byte-exact line edits, roster changes, new pages."""
