#!/usr/bin/env python3
"""Writes N contacts of about SIZE bytes each (2,300 by default: the size of the records the
issue's memory figure names) as OData V2 verbose JSON pages of 1,000 records linked by absolute
"__next" links (the shape bench/harvest_pages.py writes, see there), streaming: nothing of the
whole set is held. The text of `address` pads each record to SIZE.

usage: memory_pages.py N DIR BASE_URL [SIZE]
"""
import json
import os
import sys

n, out, base = int(sys.argv[1]), sys.argv[2], sys.argv[3].rstrip('/')
size = int(sys.argv[4]) if len(sys.argv) > 4 else 2300
per_page = 1000
os.makedirs(out, exist_ok=True)
pages = (n + per_page - 1) // per_page
treaties = ['cbd', 'cites', 'cms', 'ramsar', 'unccd']
for p in range(1, pages + 1):
    rows = []
    for i in range((p - 1) * per_page, min(n, p * per_page)):
        r = {
            '__metadata': {'uri': f"http://partner.example/informea.svc/Contacts('c{i:08d}')",
                           'type': 'informea.Contact'},
            'id': f'c{i:08d}', 'country': 'FR', 'treaties': [{'value': treaties[i % 5]}],
            'prefix': 'Dr.', 'firstName': f'First {i}', 'lastName': f'Last {i}',
            'position': 'National Focal Point', 'institution': f'Ministry of Environment {i % 97}',
            'email': f'nfp{i}@example.org', 'phoneNumber': '+33 1 00 00 00', 'primary': i % 2,
            'updated': '/Date(1700000000000)/', 'address': '',
        }
        pad = size - len(json.dumps(r, ensure_ascii=False))
        r['address'] = (f'{i} Avenue of Nature ' * (max(pad, 0) // 20 + 1))[:max(pad, 0)]
        rows.append(r)
    doc = {'d': {'results': rows}}
    if p < pages:
        doc['d']['__next'] = f'{base}/page-{p + 1}.json'
    with open(os.path.join(out, f'page-{p}.json'), 'w', encoding='utf-8') as f:
        json.dump(doc, f, ensure_ascii=False)
