"""The `plugfest` command line: the composition root that wires contract, parties and judge."""
