"""Generated, valid users and positions for the benchmark.

Building them is plain dict construction (a few µs each) so that stores of 100,000 positions are
quick to make; `check_valid` runs a sample through the real schema so the shapes cannot drift from
what the mock accepts.
"""

from __future__ import annotations

from mockgraph.graph import schemas
from mockgraph.graph.facets import FACETS

# The benchmarks generate positions (the collection the targets are stated for); FACETS lists 19.
KIND = "positions"
SCHEMA = next(facet.schema for facet in FACETS if facet.segment == KIND)

COMPANIES = ("Contoso", "Fabrikam, Inc.", "Northwind Traders", "Tailspin Toys", "Woodgrove Bank", "Litware")
TITLES = ("Engineer", "Senior Engineer", "Product Manager", "Designer", "Analyst", "Support Specialist",
          "Engineering Manager", "Data Scientist")
DEPARTMENTS = ("Platform", "Product", "Sales", "Marketing", "Finance", "Research")
CITIES = (("Seattle", "WA", "98101"), ("Redmond", "WA", "98052"), ("Austin", "TX", "73301"),
          ("Boston", "MA", "02110"))
STAMP = "2024-03-01T09:30:00.0000000Z"


# Lower-case hyphenated GUIDs, formatted directly (uuid.UUID costs several µs each).
def user_id(u: int) -> str:
    return f"b0000000-0000-4000-8000-{u:012x}"


def position_id(user: int, i: int) -> str:
    return f"a0000000-0000-4000-8000-{user:06x}{i:06x}"


def position(user: int, i: int, identity: dict) -> dict:
    """One stored workPosition, every server-managed property filled, as the store keeps them.

    Values vary with `user` and `i` (no random calls: 100,000 of these must take well under a second).
    """
    n = user * 31 + i
    city, state, postal = CITIES[n % len(CITIES)]
    start = 2000 + n % 24
    return {
        "id": position_id(user, i),
        "allowedAudiences": "organization",
        "createdDateTime": STAMP,
        "createdBy": identity,
        "lastModifiedDateTime": STAMP,
        "lastModifiedBy": identity,
        "detail": {
            "company": {
                "address": {"city": city, "countryOrRegion": "United States", "postalCode": postal,
                            "state": state, "street": f"{100 + i} Main Street", "type": "business"},
                "department": DEPARTMENTS[n % len(DEPARTMENTS)],
                "displayName": COMPANIES[n % len(COMPANIES)],
                "officeLocation": f"Building {1 + n % 40}",
            },
            "description": "Built and ran the services behind the team's customer-facing products.",
            "jobTitle": TITLES[(n // 3) % len(TITLES)],
            "layer": 1 + n % 7,
            "startMonthYear": f"{start}-{1 + n % 12:02d}-01",
            "endMonthYear": None if i % 5 == 0 else f"{start + 1 + n % 4}-06-01",
        },
        "isCurrent": i % 5 == 0,
    }


def user(u: int, n_positions: int) -> dict:
    """A user in the shape `Repository.load` takes: identity fields plus `positions`."""
    uid = user_id(u)
    name = f"Bench User {u}"
    # One identity set shared by the user's positions, as stored data never mutates nested values.
    identity = {"application": None, "device": None, "user": {"displayName": name, "id": uid}}
    return {
        "id": uid,
        "userPrincipalName": f"bench.user{u}@contoso.com",
        "displayName": name,
        KIND: [position(u, i, identity) for i in range(n_positions)],
    }


def users(n_users: int, per_user: int, first: int = 0) -> list[dict]:
    return [user(first + u, per_user) for u in range(n_users)]


# The HTTP and in-process sections' two users: one whose positions are got, patched, created and deleted,
# and one holding 20 positions that is listed and whose /profile is got (its 18 other collections empty).
ITEM_POSITIONS = 50
LIST_POSITIONS = 20


def served_users() -> list[dict]:
    """[the item user (50 positions), the list user (20)]: fresh dicts at each call."""
    return [user(0, ITEM_POSITIONS), user(1, LIST_POSITIONS)]


def check_valid(generated: list[dict], sample: int = 20) -> None:
    """Raise unless a sample of the generated positions is valid stored data for the real schema."""
    docs = [doc for u in generated[:sample] for doc in u[KIND][:sample]]
    for doc in docs:
        schemas.instance(SCHEMA, "stored").load(doc)


def as_fixture(generated: list[dict], server_managed: bool = False) -> dict:
    """Generated users as a fixture file (or a `/_mockgraph/seed` body) holds them: positions without the
    properties the server fills (id, timestamps, createdBy, lastModifiedBy), unless `server_managed`."""
    if server_managed:
        return {"users": generated}
    return {"users": [{**user, KIND: [{k: v for k, v in doc.items() if k not in schemas.SERVER_MANAGED}
                                      for doc in user[KIND]]} for user in generated]}
