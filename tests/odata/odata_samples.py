"""Shared data for the OData tests: a property model like workPosition's and 12 varied positions."""

from __future__ import annotations

import copy

PROPERTIES: dict[str, str] = {
    "id": "string",
    "allowedAudiences": "enum",
    "createdDateTime": "dateTimeOffset",
    "lastModifiedDateTime": "dateTimeOffset",
    "isSearchable": "boolean",
    "isCurrent": "boolean",
    "categories": "collection(string)",
    "source/type": "collection(string)",
    "inference/confidenceScore": "double",
    "detail/jobTitle": "string",
    "detail/layer": "int32",
    "detail/level": "string",
    "detail/role": "string",
    "detail/startMonthYear": "date",
    "detail/endMonthYear": "date",
    "detail/company/displayName": "string",
    "detail/company/department": "string",
    "detail/company/address/city": "string",
    "detail/company/address/countryOrRegion": "string",
    "detail/company/address/type": "enum",
    "manager/displayName": "string",
}

TOP_LEVEL = (
    "id", "allowedAudiences", "createdBy", "createdDateTime", "inference", "isSearchable",
    "lastModifiedBy", "lastModifiedDateTime", "source", "sources", "categories", "colleagues",
    "detail", "isCurrent", "manager",
)  # fmt: skip


def _company(name, city=None, country=None, kind=None, department=None, address=True):
    company = {"displayName": name, "department": department}
    if address:
        company["address"] = {"city": city, "countryOrRegion": country, "type": kind}
    else:
        company["address"] = None
    return company


_POSITIONS = [
    {
        "id": "p01",
        "createdDateTime": "2020-07-06T06:34:12.2294868Z",
        "allowedAudiences": "organization",
        "isCurrent": True,
        "categories": ["Engineering", "Remote"],
        "manager": {"displayName": "Megan Bowen"},
        "inference": {"confidenceScore": 0.9},
        "detail": {
            "jobTitle": "Software Engineer", "layer": 3, "level": "Senior", "role": "Developer",
            "startMonthYear": "2019-03-01", "endMonthYear": None,
            "company": _company("Contoso", "Oslo", "Norway", "business", department="R&D"),
        },
    },
    {
        "id": "p02",
        "createdDateTime": "2020-07-06T06:34:12.5Z",
        "allowedAudiences": "me",
        "isCurrent": False,
        "categories": ["engineering"],
        "manager": None,
        "inference": None,
        "detail": {
            "jobTitle": "software engineer", "layer": 2, "level": "Mid", "role": None,
            "startMonthYear": "2015-01-01", "endMonthYear": "2019-02-28",
            "company": _company("Fabrikam", "oslo", "Norway", "business"),
        },
    },
    {
        "id": "p03",
        "createdDateTime": "2021-01-01T00:00:00Z",
        "allowedAudiences": "contacts,organization",
        "categories": [],
        "manager": {"displayName": "Adele Vance"},
        "detail": {
            "jobTitle": "Product Manager", "layer": None, "level": None,
            "startMonthYear": "2021-06-15", "endMonthYear": None,
            "company": _company("Contoso Ltd", address=False),
        },
    },
    {
        "id": "p04",
        # 2021-01-01T01:30:00Z: later than p03 although its text sorts first.
        "createdDateTime": "2020-12-31T23:30:00-02:00",
        "allowedAudiences": "everyone",
        "isCurrent": False,
        "detail": {
            "jobTitle": "O'Brien's Assistant", "layer": 1,
            "startMonthYear": "2020-01-01", "endMonthYear": "2020-12-31",
            "company": _company("O'Reilly Media", "Dublin", "Ireland", "home"),
        },
    },
    {
        "id": "p05",
        "createdDateTime": "2022-09-01T08:00:00.0000001Z",
        "allowedAudiences": "family",
        "isCurrent": True,
        "categories": ["Student", "remote"],
        "detail": {"jobTitle": "Intern", "layer": 0, "startMonthYear": "2022-09-01"},
    },
    {
        "id": "p06",
        "createdDateTime": "2023-03-03T03:03:03.3333333Z",
        "allowedAudiences": "organization",
        "isCurrent": None,
        "categories": ["Engineering"],
        "detail": None,
    },
    {
        "id": "p07",
        "createdDateTime": "2019-01-01T00:00:00Z",
        "allowedAudiences": "organization",
        "isCurrent": False,
        "categories": ["Management", "Engineering"],
        "manager": {"displayName": "Adele Vance"},
        "inference": {"confidenceScore": 0.5},
        "detail": {
            "jobTitle": "Senior Engineer", "layer": 5, "level": "SENIOR",
            "startMonthYear": "2018-05-01", "endMonthYear": "2023-05-31",
            "company": _company("contoso", "Seattle", "United States", "business", department="Engineering"),
        },
    },
    {
        "id": "p08",
        "createdDateTime": "2018-06-01T12:00:00+01:00",
        "allowedAudiences": "everyone",
        "isCurrent": True,
        "categories": ["Executive"],
        "manager": None,
        "detail": {
            "jobTitle": "Chief Executive Officer", "layer": 10, "level": "Executive",
            "startMonthYear": "2010-01-01", "endMonthYear": None,
            "company": _company("Northwind Traders", "London", "United Kingdom", "business"),
        },
    },
    {
        "id": "p09",
        "createdDateTime": "2021-06-15T09:00:00Z",
        "allowedAudiences": "organization",
        "isCurrent": False,
        "categories": ["Design", "remote work"],
        "detail": {
            "jobTitle": "Designer", "layer": 2, "level": "Junior",
            "startMonthYear": "2021-06-15", "endMonthYear": "2022-06-14",
            "company": _company("Tailspin Toys", "Paris", "France", None),
        },
    },
    {
        "id": "p10",
        "createdDateTime": "2023-01-01T00:00:00Z",
        "allowedAudiences": "me,family",
        "isCurrent": True,
        "categories": ["Engineering", "Data"],
        "inference": {"confidenceScore": 0.75},
        "detail": {
            "jobTitle": "Data Scientist", "layer": -1, "startMonthYear": "2023-01-01",
            "company": _company("Contoso", "Oslo", "Norway"),
        },
    },
    {
        "id": "p11",
        "createdDateTime": "2017-07-01T00:00:00Z",
        "allowedAudiences": "organization",
        "isCurrent": False,
        "categories": ["Consulting"],
        "detail": {
            "jobTitle": "Consultant", "layer": 4, "level": "Senior",
            "startMonthYear": "2017-07-01", "endMonthYear": "2018-08-31",
            "company": _company("Litware 'Quoted' Inc", "New York", "United States"),
        },
    },
    {
        "id": "p12",
        "createdDateTime": "2020-07-06T06:34:12.2294868Z",  # the same instant as p01
        "allowedAudiences": "organization",
        "isCurrent": True,
        "categories": ["ENGINEERING"],
        "detail": {
            "jobTitle": "Engineer", "layer": 3, "level": "senior",
            "startMonthYear": "2016-02-29", "endMonthYear": None,
            "company": _company("Fabrikam", "Berlin", "Germany"),
        },
    },
]  # fmt: skip

ALL_IDS = frozenset(p["id"] for p in _POSITIONS)


def positions() -> list[dict]:
    """A fresh deep copy of the 12 positions, so a test cannot change another's data."""
    return copy.deepcopy(_POSITIONS)


def ids(*numbers: int) -> set[str]:
    return {f"p{n:02d}" for n in numbers}


def all_but(*numbers: int) -> set[str]:
    return set(ALL_IDS) - ids(*numbers)
