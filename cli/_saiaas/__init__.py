"""The `saiaas` package itself, whose subpackages are the repository's top-level folders.

pyproject.toml maps `saiaas` to this folder so that the package has a `__main__`: `python -m
saiaas` runs the command line, as the `saiaas` console script does. Nothing else lives here.
"""
