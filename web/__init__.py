"""Web front end (see issue 4)."""
