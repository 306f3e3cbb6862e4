"""URL sources: fetch an article under the SSRF guard, extract it, and script it with citations.

    guard.py      which addresses may be fetched; resolve once, connect to what was checked
    fetch.py      httpx under the limits: redirects, timeouts, deadline, size, content type
    charset.py    the page's bytes → text, honouring its declared charset
    article.py    trafilatura → title, author, date, sections, numbered paragraphs, images
    summarize.py  the deterministic extractive summary at the asked length
    images.py     article images → checked, content-addressed local reference images
    ingest.py     `ingest_url`: all of the above → a `Script` with a `SourceRecord`

Nothing heavy is imported here, so `app.config` can import the settings cheaply.
"""
