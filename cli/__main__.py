"""`python -m saiaas.cli` runs the same application as the `saiaas` console script."""

from saiaas.cli import main

main()
