"""`python -m plugfest`: the same as the `plugfest` console script."""

from plugfest.cli import main

main()
