#!/usr/bin/python3
"""Parses the publisher's JSON-LD with Debian's python3-rdflib and checks the triples it yields
for the fixture records of tests/publish/publish_fixture.h.

usage: rdflib_check.py BASE_URL       (e.g. http://127.0.0.1:8080/)
"""
import sys

from rdflib import Graph, Literal, Namespace, URIRef
from rdflib.namespace import RDF, XSD

SCHEMA = Namespace("http://schema.org/")
INFORMEA = Namespace("http://www.informea.org/ontology/")


def load(url):
    g = Graph()
    g.parse(url, format="json-ld")
    return g


def expect(g, triple, what):
    if triple not in g:
        found = "\n".join(f"  {s} {p} {o!r}" for s, p, o in g.triples((triple[0], None, None)))
        raise SystemExit(f"missing triple ({what}): {triple}\nthe subject has:\n{found}")


def main():
    if len(sys.argv) != 2:
        raise SystemExit(__doc__)
    base = sys.argv[1].rstrip("/") + "/"
    nagoya = URIRef(base + "ld/treaties/nagoya")
    g = load(base + "ld/treaties/nagoya")
    expect(g, (nagoya, RDF.type, SCHEMA.Legislation), "type from the registry")
    expect(g, (nagoya, SCHEMA.name, Literal("Nagoya Protocol", lang="en")), "language map")
    expect(g, (nagoya, SCHEMA.name, Literal("名古屋议定书", lang="zh-hans")), "language map")
    expect(g, (nagoya, INFORMEA.parent, Literal("cbd")), "InforMEA term")
    expect(g, (nagoya, SCHEMA.legislationDateVersion, Literal("2014-10-12", datatype=XSD.date)),
           "typed date")
    expect(g, (nagoya, SCHEMA.identifier, Literal("nagoya")), "id")

    contacts = load(base + "ld/contacts?$top=50")
    c04 = URIRef(base + "ld/contacts/c04")
    expect(contacts, (c04, RDF.type, SCHEMA.Person), "type")
    expect(contacts, (c04, SCHEMA.givenName, Literal("Olga")), "schema.org term")
    expect(contacts, (c04, SCHEMA.nationality, Literal("KE")), "schema.org term")
    expect(contacts, (c04, INFORMEA.treaties, Literal("cartagena")), "list as a set")
    expect(contacts, (c04, INFORMEA.treaties, Literal("cbd")), "list as a set")
    expect(contacts, (c04, SCHEMA.dateModified,
                      Literal("2020-04-01T10:00:00Z", datatype=XSD.dateTime)), "typed date-time")
    roles = list(contacts.objects(c04, INFORMEA.roles))
    if len(roles) != 2:
        raise SystemExit(f"c04 should have two roles, has {roles}")
    treaties = sorted(str(contacts.value(r, INFORMEA.treaty)) for r in roles)
    if treaties != ["cartagena", "cbd"]:
        raise SystemExit(f"role treaties are {treaties}")
    people = set(contacts.subjects(RDF.type, SCHEMA.Person))
    if len(people) != 19:
        raise SystemExit(f"expected 19 contacts in the collection, found {len(people)}")

    decision = load(base + "ld/decisions/d1")
    d1 = URIRef(base + "ld/decisions/d1")
    expect(decision, (d1, SCHEMA.name,
                      Literal("Diversité biologique et changements climatiques", lang="fr")), "title")
    expect(decision, (d1, SCHEMA.datePublished,
                      Literal("2018-11-29T12:00:00Z", datatype=XSD.dateTime)), "published")
    print(f"rdflib: {len(g) + len(contacts) + len(decision)} triples checked out")


if __name__ == "__main__":
    main()
