"""The command line: ``main`` parses, each command turns its arguments into a Request."""
