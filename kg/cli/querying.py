"""Query commands: ``queries`` (the catalogue), ``query`` (a saved query or a .rq file with a header)
and ``sparql`` (any query: text, file or standard input)."""

from __future__ import annotations

import csv
import io
import json
import sys
from pathlib import Path
from typing import Any

import click

from kg import paths
from kg.cli.common import main, open_store, remote_options, remote_store
from kg.query.catalogue import SavedQuery, load_catalogue, parse_query_file, unknown_iris
from kg.query.prefixes import PREDECLARED
from kg.query.store import QueryResult, term_to_python


@main.command("queries")
def list_queries() -> None:
    """List the saved queries with their parameters."""
    for query in load_catalogue(paths.queries_dir()):
        params = ", ".join(f"{p.name}:{p.type}" + (f"={p.default}" if p.default else "") for p in query.parameters)
        click.echo(f"{query.name}  {query.title}" + (f"  [{params}]" if params else ""))


def _format_result(result: QueryResult, fmt: str) -> str:
    if result.kind == "ask":
        return json.dumps({"boolean": result.boolean}) if fmt == "json" else str(result.boolean).lower()
    if result.kind == "graph":
        return "".join(f"{t.subject} {t.predicate} {t.object} .\n" for t in result.triples or [])
    rows = [{k: term_to_python(v) for k, v in row.items()} for row in result.rows]
    if fmt == "json":
        return json.dumps({"columns": result.variables, "rows": rows}, indent=2, ensure_ascii=False)
    if fmt in ("csv", "tsv"):
        buffer = io.StringIO()
        writer = csv.DictWriter(buffer, fieldnames=result.variables, delimiter="," if fmt == "csv" else "\t",
                                lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
        return buffer.getvalue()
    return _table(result.variables, rows)


def _short(value: Any) -> str:
    text = str(value)
    for prefix, ns in (("res:", "https://w3id.org/mmkg/resource/"), ("mmkg:", "https://w3id.org/mmkg/")):
        if text.startswith(ns):
            return prefix + text[len(ns):]
    return text


def _table(columns: list[str], rows: list[dict[str, Any]]) -> str:
    cells = [[_short(row.get(c, "")) for c in columns] for row in rows]
    widths = [min(60, max([len(c), *(len(r[i]) for r in cells)])) for i, c in enumerate(columns)]
    lines = ["  ".join(c.ljust(w) for c, w in zip(columns, widths, strict=True)),
             "  ".join("-" * w for w in widths)]
    for row in cells:
        lines.append("  ".join((v if len(v) <= w else v[: w - 1] + "…").ljust(w) for v, w in zip(row, widths,
                                                                                                strict=True)))
    lines.append(f"({len(rows)} row{'s' if len(rows) != 1 else ''})")
    return "\n".join(lines)


@main.command()
@click.argument("name")
@click.option("--param", "-p", "params", multiple=True, metavar="NAME=VALUE", help="A parameter value (repeatable).")
@click.option("--format", "fmt", type=click.Choice(["table", "json", "csv", "tsv"]), default="table",
              show_default=True)
@click.option("--out", type=click.Path(path_type=Path), help="Data directory.")
@click.option("--store", "store_path", type=click.Path(path_type=Path), help="On-disk pyoxigraph store to use.")
@remote_options
def query(name: str, params: tuple[str, ...], fmt: str, out: Path | None, store_path: Path | None,
          endpoint: str | None, auth_env: str | None, remote_timeout: float) -> None:
    """Run a saved query by NAME, or a .rq FILE; parameter values are bound, never spliced."""
    saved: SavedQuery
    if name.endswith(".rq"):
        if not Path(name).is_file():
            raise click.UsageError(f"{name}: no such file (for a query without a '#+' header use mmkg sparql FILE)")
        saved = parse_query_file(Path(name))
    else:
        try:
            saved = load_catalogue(paths.queries_dir()).get(name)
        except KeyError as exc:
            raise click.UsageError(str(exc.args[0])) from None
    given: dict[str, str] = {}
    for item in params:
        key, sep, value = item.partition("=")
        if not sep:
            raise click.BadParameter(f"{item!r} is not NAME=VALUE", param_hint="--param")
        given[key] = value
    bindings = saved.bindings(given)
    if endpoint is not None and store_path is not None:
        raise click.UsageError("give --endpoint or --store, not both")
    store = remote_store(endpoint, auth_env, remote_timeout) if endpoint else open_store(out, store_path)
    for param, iri in unknown_iris(store, saved, bindings):
        click.echo(f"warning: parameter {param!r}: <{iri}> names nothing in the graph (a typo?)", err=True)
    result = store.query(saved.sparql, bindings)
    click.echo(_format_result(result, fmt))


@main.command()
@click.argument("query_text", metavar="QUERY | FILE | -")
@click.option("--format", "fmt", type=click.Choice(["table", "json", "csv", "tsv"]), default="table",
              show_default=True, help="For SELECT and ASK; CONSTRUCT and DESCRIBE print N-Triples.")
@click.option("--out", type=click.Path(path_type=Path), help="Data directory.")
@click.option("--store", "store_path", type=click.Path(path_type=Path), help="On-disk pyoxigraph store to use.")
@remote_options
def sparql(query_text: str, fmt: str, out: Path | None, store_path: Path | None, endpoint: str | None,
           auth_env: str | None, remote_timeout: float) -> None:
    """Run an ad-hoc SPARQL query: the text itself, a file (.rq, .sparql, any text), or - for standard input.

    The prefixes of /sparql are predeclared (mmkg:, res:, rdfs:, CHEBI: ...; a PREFIX in the query
    wins); relative IRIs resolve against https://w3id.org/mmkg/sparql.
    """
    text = _query_text(query_text)
    if endpoint is not None and store_path is not None:
        raise click.UsageError("give --endpoint or --store, not both")
    store = remote_store(endpoint, auth_env, remote_timeout) if endpoint else open_store(out, store_path)
    result = store.query(text, prefixes=PREDECLARED)
    click.echo(_format_result(result, fmt))


def _query_text(argument: str) -> str:
    """The query: standard input for ``-``, a file's text when the argument names one, else the argument."""
    if argument == "-":
        text = str(sys.stdin.read())
    elif "\n" not in argument and (Path(argument).is_file() or Path(argument).suffix in (".rq", ".sparql", ".txt")):
        path = Path(argument)
        if not path.is_file():
            raise click.UsageError(f"{argument}: no such file")
        try:
            text = path.read_text(encoding="utf-8")
        except UnicodeDecodeError as exc:
            raise click.UsageError(f"{argument}: not UTF-8 text (byte {exc.start})") from None
    else:
        text = argument
    if not text.strip():
        raise click.UsageError("the query is empty")
    return text
