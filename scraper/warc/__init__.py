"""Web archives (WARC, ISO 28500) in and out, through warcio:

    records.py   one exchange (or a stored page) as WARC records, each its own gzip member
    files.py     WarcFile (one .warc.gz, appended to) and WarcWriter (a folder of them, rotated
                 at about 1 GB and named as Heritrix and warcio name theirs; thread-safe)
    reader.py    the HTML responses of a WARC stream as Pages, and why the other records are not

This package knows HTTP exchanges and pages (scraper.models), nothing of the pipeline or the archive.
"""
