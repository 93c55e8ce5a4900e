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
from kg.csvcells import neutralise
from kg.query.catalogue import SavedQuery, load_catalogue, parse_query_file, unknown_iris
from kg.query.outside import Answer, Budget, OutsideQueries, OutsideQuery
from kg.query.protocol.lexer import projection
from kg.query.store import QueryResult, term_to_python
from kg.query.table import compact_term, table


@main.command("queries")
def list_queries() -> None:
    """List the saved queries with their parameters."""
    for query in load_catalogue(paths.queries_dir()):
        params = ", ".join(f"{p.name}:{p.type}" + (f"={p.default}" if p.default else "") for p in query.parameters)
        click.echo(f"{query.name}  {query.title}" + (f"  [{params}]" if params else ""))


def _output_options(func: Any) -> Any:
    func = click.option("--max-bytes", type=click.IntRange(1), default=Budget().bytes, show_default=True,
                        help="Largest answer, in bytes of its values (past it: refused, as /sparql's 413).")(func)
    func = click.option("--max-rows", type=click.IntRange(1), default=Budget().rows, show_default=True,
                        help="Rows kept before the answer is cut (and said to be).")(func)
    return click.option("--width", type=click.IntRange(0), default=0, show_default=True,
                        help="Table format: wrap values wider than this many characters (0: never; values are "
                             "never cut).")(func)


def _format_result(result: QueryResult, fmt: str, width: int = 0, columns: list[str] | None = None) -> str:
    if result.kind == "ask":
        return json.dumps({"boolean": result.boolean}) if fmt == "json" else str(result.boolean).lower()
    if result.kind == "graph":
        return "".join(f"{t.subject} {t.predicate} {t.object} .\n" for t in result.triples or [])
    columns = columns or result.variables
    rows = [{k: term_to_python(v) for k, v in row.items()} for row in result.rows]
    if fmt == "json":
        return json.dumps({"columns": columns, "rows": [{c: row[c] for c in columns if c in row} for row in rows],
                           "truncated": result.truncated}, indent=2, ensure_ascii=False)
    if fmt in ("csv", "tsv"):
        buffer = io.StringIO()
        writer = csv.DictWriter(buffer, fieldnames=columns, delimiter="," if fmt == "csv" else "\t",
                                lineterminator="\n")
        writer.writeheader()
        writer.writerows({k: neutralise(v) if isinstance(v, str) else v for k, v in row.items()} for row in rows)
        return buffer.getvalue()
    return table(columns, [{k: compact_term(v) for k, v in row.items()} for row in result.rows], width,
                 result.truncated)


@main.command()
@click.argument("name")
@click.option("--param", "-p", "params", multiple=True, metavar="NAME=VALUE", help="A parameter value (repeatable).")
@click.option("--format", "fmt", type=click.Choice(["table", "json", "csv", "tsv"]), default="table",
              show_default=True)
@_output_options
@click.option("--out", type=click.Path(path_type=Path), help="Data directory.")
@click.option("--store", "store_path", type=click.Path(path_type=Path), help="On-disk pyoxigraph store to use.")
@remote_options
def query(name: str, params: tuple[str, ...], fmt: str, width: int, max_rows: int, max_bytes: int, out: Path | None,
          store_path: Path | None, endpoint: str | None, auth_env: str | None, remote_timeout: float) -> None:
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
    entry = OutsideQueries(store, budget=Budget(max_rows, max_bytes))
    answer = entry.rows(OutsideQuery(saved.sparql, bindings, own=True))
    _echo(answer, fmt, width, saved.sparql)


@main.command()
@click.argument("query_text", metavar="QUERY | FILE | -")
@click.option("--format", "fmt", type=click.Choice(["table", "json", "csv", "tsv"]), default="table",
              show_default=True, help="For SELECT and ASK; CONSTRUCT and DESCRIBE print N-Triples.")
@_output_options
@click.option("--strict", is_flag=True, help="Refuse a query naming a term or resource the graph does not have.")
@click.option("--out", type=click.Path(path_type=Path), help="Data directory.")
@click.option("--store", "store_path", type=click.Path(path_type=Path), help="On-disk pyoxigraph store to use.")
@remote_options
def sparql(query_text: str, fmt: str, width: int, max_rows: int, max_bytes: int, strict: bool, out: Path | None,
           store_path: Path | None, endpoint: str | None, auth_env: str | None, remote_timeout: float) -> None:
    """Run an ad-hoc SPARQL query: the text itself, a file (.rq, .sparql, any text), or - for standard input.

    The prefixes of /sparql are predeclared (mmkg:, res:, rdfs:, CHEBI: ...; a PREFIX in the query
    wins); relative IRIs resolve against https://w3id.org/mmkg/sparql. Terms and resources of our namespaces
    the graph does not have are warned about on stderr (``--strict``: refused); the answer keeps the budget of
    /sparql (``--max-rows``, and the byte budget).
    """
    text = _query_text(query_text)
    if endpoint is not None and store_path is not None:
        raise click.UsageError("give --endpoint or --store, not both")
    store = remote_store(endpoint, auth_env, remote_timeout) if endpoint else open_store(out, store_path)
    answer = OutsideQueries(store, budget=Budget(max_rows, max_bytes)).rows(OutsideQuery(text, strict=strict))
    _echo(answer, fmt, width, text)


def _echo(answer: Answer, fmt: str, width: int, text: str) -> None:
    """The answer on stdout in ``fmt``, its warnings and truncation on stderr."""
    for warning in answer.warnings:
        click.echo(f"warning: {warning.message}", err=True)
    result = answer.result
    click.echo(_format_result(result, fmt, width, projection(text, result.variables)))
    if result.truncated and fmt != "table":
        click.echo(f"warning: the answer was cut at {len(result.rows or result.triples or [])} rows "
                   "(--max-rows)", err=True)


def _is_file(argument: str) -> bool:
    try:
        return Path(argument).is_file()
    except OSError:  # e.g. a query longer than a file name may be
        return False


def _query_text(argument: str) -> str:
    """The query: standard input for ``-``, a file's text when the argument names one, else the argument."""
    if argument == "-":
        text = str(sys.stdin.read())
    elif "\n" not in argument and (_is_file(argument) or Path(argument).suffix in (".rq", ".sparql", ".txt")):
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
