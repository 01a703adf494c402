"""`python -m saiaas` runs the same application as the `saiaas` console script."""

from saiaas.cli import main

main()
