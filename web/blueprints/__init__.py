"""One blueprint per concern of the web app."""
