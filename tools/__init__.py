"""The source tools (one module per source, registered in `tools/registry.py`) and the parsers
of every kind of document. Importing the package loads no tool: a brief from the store needs
none of the HTML, feed and PDF libraries they use.
"""
