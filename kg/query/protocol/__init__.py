"""Queries from outside (the SPARQL endpoint, the editor, saved-query twins, ``mmkg sparql``): the lexer and guard
that check a text before it runs, parse errors with their position, admission, the worker sandbox and the native
result writer."""
