"""The MkDocs site: the plugin (a thin adapter), generated pages, theme assets."""
