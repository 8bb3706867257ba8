"""Whether this run is quiet (the root --quiet): kept apart from rendering so setting it imports nothing heavy."""

QUIET = {"on": False}  # progress, notes and warnings on stderr are dropped when on
