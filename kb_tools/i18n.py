"""Message catalog entry point (placeholder: returns the English msgid until the catalog lands)."""


def _(message: str) -> str:
    return message
