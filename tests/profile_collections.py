"""THE table of the 19 profile collections the tests are parametrised from (one row each, not 19 copies
of a test): a valid create body, its required paths, an enum, a complex property to merge into, and a
property to query by. Every row's segment must be a registered facet, and every facet must have a row."""

from __future__ import annotations

from dataclasses import dataclass, field

import pytest

from mockgraph.graph.facets import FACETS


@dataclass(frozen=True)
class Collection:
    segment: str
    body: dict  # a valid create body
    # Paths ("a.b") of properties a create must carry: each missing or null is a 400 naming it.
    required: tuple[str, ...]
    # (path, a member written in another case, its canonical form): an enum of the type.
    enum: tuple[str, str, str]
    # (complex property in `body`, key inside it to change, new value): a PATCH merges the rest.
    merge: tuple[str, str, object]
    # (filter path, the property's value in `body` as an OData literal, a second value for `other`)
    query: tuple[str, str, object]
    other: dict = field(default_factory=dict)  # overrides making a second item that differs on `query`

    def __str__(self) -> str:
        return self.segment

    def second_body(self) -> dict:
        return deep_merge(self.body, self.other)


def deep_merge(base: dict, changes: dict) -> dict:
    out = dict(base)
    for key, value in changes.items():
        out[key] = deep_merge(out[key], value) if isinstance(value, dict) and isinstance(out.get(key), dict) else value
    return out


INFERENCE = {"confidenceScore": 0.5, "userHasVerifiedAccuracy": False}

TABLE: tuple[Collection, ...] = (
    Collection("account", {"countryCode": "NO", "preferredLanguageTag": {"locale": "nb-NO", "displayName": "Norsk"}},
               ("countryCode",), ("allowedAudiences", "ME", "me"), ("preferredLanguageTag", "displayName", "Bokmål"),
               ("countryCode", "'NO'", "SE"), {"countryCode": "SE"}),
    Collection("addresses", {"displayName": "Home", "detail": {"type": "home", "street": "221B Baker Street",
                                                               "city": "London", "postalCode": "NW1 6XE"}},
               (), ("detail.type", "HOME", "home"), ("detail", "city", "Leeds"),
               ("detail/city", "'London'", "Oslo"), {"detail": {"city": "Oslo"}}),
    Collection("anniversaries", {"type": "birthday", "date": "1980-01-08", "inference": INFERENCE},
               (), ("type", "Wedding", "wedding"), ("inference", "userHasVerifiedAccuracy", True),
               ("date", "1980-01-08", "1999-06-21"), {"date": "1999-06-21"}),
    Collection("awards", {"displayName": "Lifetime Achievement", "issuedDate": "2019-06-01", "inference": INFERENCE},
               ("displayName",), ("allowedAudiences", "Everyone", "everyone"),
               ("inference", "confidenceScore", 0.9), ("issuedDate", "2019-06-01", "2021-01-15"),
               {"issuedDate": "2021-01-15"}),
    Collection("certifications", {"displayName": "Marketing Blackbelt", "issuingCompany": "IAME",
                                  "startDate": "2018-01-01", "inference": INFERENCE},
               ("displayName",), ("allowedAudiences", "Contacts", "contacts"),
               ("inference", "confidenceScore", 0.25), ("issuingCompany", "'IAME'", "Other Co"),
               {"issuingCompany": "Other Co"}),
    Collection("educationalActivities", {
        "startMonthYear": "2014-09-01", "endMonthYear": "2016-05-01",
        "institution": {"displayName": "Colorado State University", "location": {"type": "business",
                                                                                    "city": "Fort Collins"}},
        "program": {"displayName": "Master of Business Administration", "abbreviation": "MBA",
                    "fieldsOfStudy": ["Finance"]}},
               ("institution.displayName", "program.displayName"),
               ("institution.location.type", "BUSINESS", "business"),
               ("institution", "webUrl", "https://www.colostate.edu"),
               ("institution/displayName", "'Colorado State University'", "Oslo University"),
               {"institution": {"displayName": "Oslo University"}}),
    Collection("emails", {"address": "adele@contoso.com", "type": "work", "displayName": "Work"},
               ("address",), ("type", "PERSONAL", "personal"), ("inference", "confidenceScore", 0.5),
               ("address", "'adele@contoso.com'", "adele@fabrikam.com"), {"address": "adele@fabrikam.com"}),
    Collection("interests", {"displayName": "Chelsea FC", "categories": ["Sports"], "inference": INFERENCE},
               ("displayName",), ("allowedAudiences", "FAMILY", "family"), ("inference", "confidenceScore", 1.0),
               ("displayName", "'Chelsea FC'", "Chess"), {"displayName": "Chess", "categories": ["Games"]}),
    Collection("languages", {"displayName": "Norwegian Bokmål", "tag": "nb-NO", "spoken": "nativeOrBilingual",
                             "inference": INFERENCE},
               ("displayName",), ("written", "FULLPROFESSIONAL", "fullProfessional"),
               ("inference", "userHasVerifiedAccuracy", True), ("tag", "'nb-NO'", "fr-FR"),
               {"tag": "fr-FR", "displayName": "French"}),
    Collection("names", {"displayName": "Adele Vance", "first": "Adele", "last": "Vance",
                         "pronunciation": {"first": "ah-DELL", "last": "VANCE"}},
               (), ("allowedAudiences", "Organization", "organization"), ("pronunciation", "first", "a-DELL"),
               ("first", "'Adele'", "Ada"), {"first": "Ada"}),
    Collection("notes", {"displayName": "About Me", "detail": {"contentType": "text", "content": "From Oslo."}},
               (), ("detail.contentType", "HTML", "html"), ("detail", "content", "From Bergen."),
               ("displayName", "'About Me'", "Hobbies"), {"displayName": "Hobbies"}),
    Collection("patents", {"displayName": "Inferring intent", "isPending": True, "number": "USPTO-1",
                           "inference": INFERENCE},
               ("displayName",), ("allowedAudiences", "GROUPMEMBERS", "groupMembers"),
               ("inference", "confidenceScore", 0.75), ("isPending", "true", False), {"isPending": False}),
    Collection("phones", {"displayName": "Car phone", "number": "+47 22 00 00 00", "type": "mobile"},
               ("number",), ("type", "BusinessFax", "businessFax"), ("inference", "confidenceScore", 0.5),
               ("type", "'mobile'", "home"), {"type": "home"}),
    Collection("positions", {"detail": {"jobTitle": "Tester", "company": {"displayName": "Fabrikam",
                                                                          "department": "QA"}},
                             "isCurrent": True},
               ("detail", "detail.company.displayName"), ("manager.relationship", "MANAGER", "manager"),
               ("detail", "jobTitle", "Lead tester"), ("detail/jobTitle", "'Tester'", "Developer"),
               {"detail": {"jobTitle": "Developer"}}),
    Collection("projects", {"displayName": "Contoso re-branding", "client": {"displayName": "Contoso Ltd.",
                                                                            "department": "Marketing"},
                            "categories": ["Branding"]},
               ("displayName", "client.displayName"), ("sponsors[0].relationship", "SPONSOR", "sponsor"),
               ("client", "webUrl", "https://www.contoso.com"), ("client/displayName", "'Contoso Ltd.'", "Fabrikam"),
               {"client": {"displayName": "Fabrikam"}}),
    Collection("publications", {"displayName": "Got Brands?", "publisher": "IABM", "publishedDate": "2020-03-01",
                                "inference": INFERENCE},
               ("displayName",), ("allowedAudiences", "federatedorganizations", "federatedOrganizations"),
               ("inference", "confidenceScore", 0.1), ("publisher", "'IABM'", "Contoso Press"),
               {"publisher": "Contoso Press"}),
    Collection("skills", {"displayName": "API Design", "proficiency": "generalProfessional",
                          "categories": ["Professional"], "inference": INFERENCE},
               ("displayName",), ("proficiency", "EXPERT", "expert"), ("inference", "confidenceScore", 0.8),
               ("proficiency", "'generalProfessional'", "expert"), {"proficiency": "expert"}),
    Collection("webAccounts", {"userId": "adele", "description": "My GitHub",
                               "service": {"name": "GitHub", "webUrl": "https://github.com"}},
               ("userId", "service.name", "service.webUrl"), ("allowedAudiences", "ME", "me"),
               ("service", "name", "GitHub Enterprise"), ("service/name", "'GitHub'", "GitLab"),
               {"service": {"name": "GitLab"}}),
    Collection("websites", {"displayName": "Lyn Damer", "webUrl": "https://www.lyndamer.no",
                            "categories": ["football"]},
               ("displayName", "webUrl"), ("allowedAudiences", "Me,Family", "me,family"),
               ("inference", "confidenceScore", 0.5), ("webUrl", "'https://www.lyndamer.no'", "https://example.org"),
               {"webUrl": "https://example.org"}),
)

BY_SEGMENT = {row.segment: row for row in TABLE}
FACET_BY_SEGMENT = {facet.segment: facet for facet in FACETS}

# Parametrise over the table: `@each_collection` gives a test a `row` argument.
each_collection = pytest.mark.parametrize("row", TABLE, ids=str)


def get_path(doc, path: str):
    """`a.b[0].c` read from a response."""
    for part in path.replace("[", ".[").split("."):
        doc = doc[int(part[1:-1])] if part.startswith("[") else doc[part]
    return doc


def with_path(doc: dict, path: str, value, *, remove: bool = False) -> dict:
    """A copy of `doc` with `path` set to `value` (or removed); missing objects and lists are made."""
    parts = path.replace("[", ".[").split(".")
    out = deep_copy(doc)
    node = out
    for part, following in zip(parts, parts[1:], strict=False):
        key = int(part[1:-1]) if part.startswith("[") else part
        if isinstance(node, list):
            while len(node) <= key:
                node.append({})
        elif key not in node or node[key] is None:
            node[key] = [] if following.startswith("[") else {}
        node = node[key]
    last = parts[-1]
    if remove:
        node.pop(last, None)
    elif last.startswith("["):
        node.append(value)
    else:
        node[last] = value
    return out


def deep_copy(value):
    if isinstance(value, dict):
        return {k: deep_copy(v) for k, v in value.items()}
    if isinstance(value, list):
        return [deep_copy(v) for v in value]
    return value
