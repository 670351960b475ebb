"""`scraper export`: the archive, streamed in one of the export formats."""

from __future__ import annotations

import sys

import click

from scraper.archive import Filters
from scraper.cli.common import (
    EXIT_CODES_HELP,
    State,
    errors_to_exit_codes,
    parse_window,
    window_options,
)
from scraper.export import FORMATS


@click.command(epilog=EXIT_CODES_HELP)
@click.option("--format", "fmt", type=click.Choice(FORMATS), default="jsonl", show_default=True)
@click.option(
    "-o",
    "--output",
    type=click.Path(),
    help="Output file, gzip-compressed when it ends in .gz (a folder for txt; FILE.warc.gz for warc); "
    "default: stdout.",
)
@window_options
@click.option("--source", "sources", multiple=True, help="Only this source (repeatable).")
@click.option("--category", "categories", multiple=True, help="Only articles in this category (repeatable).")
@click.option("--fields", metavar="FIELD,...", help="Only these fields, in this order (csv, json, jsonl).")
@click.option("--bom", is_flag=True, help="CSV: begin with a UTF-8 byte order mark, for Excel.")
@click.option(
    "--csv-protect/--no-csv-protect",
    default=True,
    show_default=True,
    help="CSV: put ' before a cell that starts with = + - @ tab or CR, so a spreadsheet shows it as text "
    "(OWASP); turn off for programs.",
)
@click.pass_obj
@errors_to_exit_codes
def export(
    state: State,
    fmt: str,
    output: str | None,
    since: str | None,
    until: str | None,
    undated: str | None,
    sources: tuple[str, ...],
    categories: tuple[str, ...],
    fields: str | None,
    bom: bool,
    csv_protect: bool,
) -> None:
    """Export archived articles, ordered by published time, then source, then number.

    Streams row by row, in constant memory, to stdout or to -o. `--format warc` writes the raw
    page kept of each article as a WARC response record.
    """
    import os

    from scraper.export import ExportOptions, parse_fields
    from scraper.export import export as write_export

    options = ExportOptions(fmt=fmt, fields=parse_fields(fields), protect=csv_protect, bom=bom)
    options.check(output)
    filters = Filters(window=parse_window(since, until), sources=sources, categories=categories, undated=undated)
    archive = state.archive()
    try:
        if fmt == "warc":
            from scraper.export import export_warc

            export_warc((stored.page for stored in archive.pages_in_order(filters)), output)
        else:
            write_export(lambda columns: archive.iter_rows(filters, columns), options, output)
    except BrokenPipeError:  # `scraper export | head`: the reader has gone, which is not our failure
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return
    left_out = archive.undated_left_out(filters)
    if left_out:
        why = "--undated skip"
        if undated != "skip":
            why = "--since/--until cannot place them; --undated keep includes them"
        noun = "article" if left_out == 1 else "articles"
        click.echo(f"export: left out {left_out} {noun} without a publication date ({why})", err=True)
