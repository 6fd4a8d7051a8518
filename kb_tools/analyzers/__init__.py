"""Page analyzers: run inside the parse workers, their results cached with the page."""
