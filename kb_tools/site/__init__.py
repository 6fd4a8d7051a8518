"""The site layer: MkDocs plugin (thin), generated pages, theme assets, site search."""
