def _(message: str) -> str: return message
