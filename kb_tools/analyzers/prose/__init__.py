"""House style (the ``prose.*`` rules): ``style.py`` reads ``_data/style.yml``; ``scan`` is the
page analyzer that finds non-canonical forms in running text, cached with the page."""
