"""Query commands: ``queries`` (the catalogue) and ``query`` (a saved query or a .rq file)."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path
from typing import Any

import click

from kg import paths
from kg.cli.common import main, open_store, remote_options, remote_store
from kg.query.catalogue import SavedQuery, load_catalogue, parse_query_file
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
    result = store.query(saved.sparql, bindings)
    click.echo(_format_result(result, fmt))
