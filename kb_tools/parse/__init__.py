"""Reading the Markdown tree: front matter, body scan, heading ids, link resolution."""
