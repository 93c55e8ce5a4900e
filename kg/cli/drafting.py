"""``mmkg draft``: an article's text to a draft fact file; ``--accept`` moves a confirmed draft into the facts."""

from __future__ import annotations

import time
from pathlib import Path

import click

from kg import paths
from kg.cli.common import main, sources_option, write_atomically
from kg.curation.factbase import FactBase, load_facts
from kg.curation.schema import SourceFile
from kg.drafting.document import Draft, draft_article
from kg.drafting.inputs import derived_name, read_input_file
from kg.drafting.scoring import score
from kg.drafting.worker import run_limited
from kg.drafting.workflow import accept_draft
from kg.drafting.writing import draft_yaml, next_source_id

DRAFT_MEMORY = 4 * 2**30
"""Address space a draft's child process may add to what it holds (a 512 KB article needs a few hundred MB)."""


def _draft(text: str, source_id: str, file_name: str, base: FactBase) -> Draft:
    return draft_article(text, source_id=source_id, file_name=file_name, base=base)


@main.command()
@click.argument("article", type=click.Path(path_type=Path, dir_okay=False), required=False)
@click.option("-o", "--output", type=click.Path(path_type=Path, dir_okay=False),
              help="Write the draft here (default: standard output).")
@click.option("--id", "source_id", help="Source id of the draft (default: the next free sNNN).")
@click.option("--score", "curated", type=click.Path(path_type=Path, exists=True, dir_okay=False),
              help="Also score the draft against this curated source file (recall and precision on stderr).")
@click.option("--accept", "accept", type=click.Path(path_type=Path, exists=True, dir_okay=False),
              help="Move this confirmed draft into the facts (needs --source).")
@click.option("--source", "article_for_accept", type=click.Path(path_type=Path, exists=True, dir_okay=False),
              help="With --accept: the article the draft was made from.")
@click.option("--sources", type=click.Path(path_type=Path, exists=True, file_okay=False),
              help="Source-text folder the article is copied into on --accept (default ../shared/seeds when present).")
@click.option("--facts", type=click.Path(path_type=Path, exists=True, file_okay=False), envvar="MMKG_FACTS",
              help="Fact folder (default: the package's curated facts).")
@click.option("--timeout", type=click.FloatRange(min=0.1), default=60.0, show_default=True,
              help="Seconds the draft may take (it runs in a child process, stopped past this; exit status 3).")
def draft(article: Path | None, output: Path | None, source_id: str | None, curated: Path | None,
          accept: Path | None, article_for_accept: Path | None, sources: Path | None, facts: Path | None,
          timeout: float) -> None:
    """Draft a source fact file from ARTICLE: findings with figures, locators and grounded entities.

    ARTICLE may be plain UTF-8 text, a PDF, JATS / PMC XML, PubMed MEDLINE XML or a saved web page
    (chosen by content); tables become cell locators (tN.rM.cK). A non-text article's source text is
    its derived text, named after it (falcon2.pdf gives falcon2.txt).

    Every finding is status draft with a confidence. Preview it with
    `mmkg build --draft DRAFT.yaml --source ARTICLE`, confirm it, then
    `mmkg draft --accept DRAFT.yaml --source ARTICLE`.
    """
    facts_dir = facts or paths.facts_dir()
    if accept is not None:
        if article_for_accept is None:
            raise click.UsageError("--accept needs --source ARTICLE (the text the draft was made from)")
        written = accept_draft(accept, article_for_accept, facts_dir, sources_option(sources, False))
        for path in written:
            click.echo(f"Written {path}")
        click.echo("Next: mmkg build (the new source's findings are in the graph once it is built).")
        return
    if article is None:
        raise click.UsageError("give the ARTICLE to draft from (text, PDF, JATS or MEDLINE XML, a saved web page), "
                               "or --accept DRAFT")
    started = time.perf_counter()
    document = read_input_file(article)
    base = load_facts(facts_dir / "reference.yaml", sorted((facts_dir / "sources").glob("*.yaml")))
    drafted = run_limited(_draft, (document.text, source_id or next_source_id(facts_dir),
                                   derived_name(article.name, document), base),
                          timeout=timeout, memory_limit=DRAFT_MEMORY, what=f"drafting {article}")
    yaml_text = draft_yaml(drafted.data)
    if output is None:
        click.echo(yaml_text, nl=False)
    else:
        write_atomically(output, lambda tmp: Path(tmp).write_text(yaml_text, encoding="utf-8"))
    for problem in drafted.skipped:
        click.echo(f"{article}: not drafted: {problem}", err=True)
    for warning in drafted.warnings:
        click.echo(f"{article}: warning: {warning}", err=True)
    findings = drafted.findings
    click.echo(f"Drafted {len(findings)} findings ({sum(1 for f in findings if f['confidence'] >= 0.75)} with "
               f"confidence >= 0.75) from {article} in {time.perf_counter() - started:.2f} s"
               + (f"; written to {output}" if output else "") + ".", err=True)
    if curated is not None:
        curated_base = load_facts(facts_dir / "reference.yaml", [curated])
        result = score(list(SourceFile.model_validate(drafted.data).findings), list(curated_base.sources[0].findings))
        click.echo(f"Against {curated}: recall {result.recalled}/{result.figures} figures ({result.recall:.0%}), "
                   f"precision {result.right}/{result.drafted} findings ({result.precision:.0%}).", err=True)
        for line in result.missed:
            click.echo(f"  missed: {line}", err=True)
        for line in result.wrong:
            click.echo(f"  not curated: {line}", err=True)
