"""The ``dig-lint`` command line."""
