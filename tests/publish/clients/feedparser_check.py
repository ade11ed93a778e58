#!/usr/bin/python3
"""Reads Atom feeds with Debian's python3-feedparser, following rel="next" links.

usage: feedparser_check.py URL...
Fails (exit 1) when a feed or page is bozo (not well-formed) or an entry lacks id, title or
updated. Prints one line per feed: URL, pages, entries.
"""
import sys

import feedparser


def check(url):
    pages = entries = 0
    seen = set()
    while url and url not in seen:
        seen.add(url)
        d = feedparser.parse(url)
        status = getattr(d, "status", 200)
        if status != 200:
            raise SystemExit(f"{url}: HTTP {status}")
        if d.bozo:
            raise SystemExit(f"{url}: bozo: {d.bozo_exception!r}")
        if d.version not in ("atom10", "atom03"):
            raise SystemExit(f"{url}: not read as Atom (version {d.version!r})")
        for e in d.entries:
            for key in ("id", "title", "updated"):
                if not e.get(key):
                    raise SystemExit(f"{url}: an entry has no {key}: {dict(e)!r}")
        pages += 1
        entries += len(d.entries)
        url = next((l.href for l in d.feed.get("links", []) if l.get("rel") == "next"), None)
    return pages, entries


def main():
    if len(sys.argv) < 2:
        raise SystemExit(__doc__)
    for url in sys.argv[1:]:
        pages, entries = check(url)
        print(f"{url} pages={pages} entries={entries}")


if __name__ == "__main__":
    main()
