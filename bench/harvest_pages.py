#!/usr/bin/env python3
"""Splits an OData V2 verbose JSON document ({"d": {"results": [...]}}, as
../shared/peers/gen_contacts.py writes it) into pages of SIZE records linked by absolute
"__next" links, the way an OData V2 service pages: DIR/page-1.json, page-2.json, ...

usage: harvest_pages.py INPUT DIR BASE_URL [SIZE]
Prints the page URLs, one per line, in paging order.
"""
import json
import os
import sys

src, out, base = sys.argv[1], sys.argv[2], sys.argv[3].rstrip('/')
size = int(sys.argv[4]) if len(sys.argv) > 4 else 1000
records = json.load(open(src, encoding='utf-8'))['d']['results']
os.makedirs(out, exist_ok=True)
pages = [records[i:i + size] for i in range(0, len(records), size)]
for n, page in enumerate(pages, 1):
    doc = {'d': {'results': page}}
    if n < len(pages):
        doc['d']['__next'] = f'{base}/page-{n + 1}.json'
    with open(os.path.join(out, f'page-{n}.json'), 'w', encoding='utf-8') as f:
        json.dump(doc, f, ensure_ascii=False)
    print(f'{base}/page-{n}.json')
