"""Profile operations, generic over facets: what a create, update or delete does to stored data.

Routes decide who may do what; this module decides what it does. Every change is validated in
full before anything is written, so an error leaves the store as it was.
"""

from __future__ import annotations

from collections.abc import Mapping

from mockgraph.clock import Clock, IdGenerator
from mockgraph.graph import schemas
from mockgraph.graph.errors import ItemNotFound
from mockgraph.graph.facets import Facet
from mockgraph.store import Repository


def identity_set(user: Mapping | None = None, application: Mapping | None = None) -> dict:
    def identity(who):
        return None if who is None else {"displayName": who.get("displayName"), "id": who.get("id")}

    return {"application": identity(application), "device": None, "user": identity(user)}


def fill_server_managed(doc: dict, identity: dict, ids: IdGenerator, clock: Clock) -> dict:
    """Fill what the server owns where it is missing (fixtures may supply their own)."""
    now = clock.timestamp()
    if not doc.get("id"):
        doc["id"] = ids.new_id()
    for stamp in ("createdDateTime", "lastModifiedDateTime"):
        if not doc.get(stamp):
            doc[stamp] = now
    for who in ("createdBy", "lastModifiedBy"):
        if not doc.get(who):
            doc[who] = identity
    return doc


class ProfileService:
    def __init__(self, repository: Repository, ids: IdGenerator, clock: Clock):
        self.repository = repository
        self.ids = ids
        self.clock = clock

    def create(self, facet: Facet, user_id: str, body, identity: dict) -> dict:
        doc = {**facet.defaults, **schemas.load(facet.schema, body, mode="create")}
        if facet.derive is not None:  # values the user's data decides (account's UPN, ...)
            facet.derive(doc, self.repository.find_user(user_id))
        now = self.clock.timestamp()
        doc.update(
            id=self.ids.new_id(), createdDateTime=now, lastModifiedDateTime=now,
            createdBy=identity, lastModifiedBy=identity,
        )
        return self.repository.add_item(facet.segment, user_id, doc)

    def update(self, facet: Facet, user_id: str, stored: Mapping, body, identity: dict) -> dict:
        patch = schemas.load(facet.schema, body, mode="update", partial=True)
        with self.repository.lock:
            # Read, merge and write in one step: merged into an earlier read, a concurrent PATCH is lost.
            current = self.repository.get_item(facet.segment, user_id, stored["id"])
            if current is None:
                # Deleted by another request since it was read: what the later lookup would answer.
                raise ItemNotFound(stored["id"], facet.type_name)
            # Also validates what the partial load could not: e.g. a company added without its name.
            merged = schemas.merge(schemas.instance(facet.schema), current, patch)
            if facet.derive is not None:
                facet.derive(merged, self.repository.find_user(user_id))
            merged.update(lastModifiedDateTime=self.clock.timestamp(), lastModifiedBy=identity)
            return self.repository.replace_item(facet.segment, user_id, merged)

    def delete(self, facet: Facet, user_id: str, item_id: str) -> bool:
        return self.repository.remove_item(facet.segment, user_id, item_id)
