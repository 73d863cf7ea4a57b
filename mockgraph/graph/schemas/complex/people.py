"""Other people named in a profile item, and how a person's name is pronounced."""

from __future__ import annotations

from mockgraph.graph.schemas import fields as f
from mockgraph.graph.schemas.base import GraphSchema
from mockgraph.graph.schemas.enums import PERSON_RELATIONSHIP


class RelatedPersonSchema(GraphSchema):
    graph_type = "relatedPerson"
    displayName = f.String()
    relationship = f.Enum("personRelationship", PERSON_RELATIONSHIP)
    relationshipLabel = f.String()  # SDK 1.66.0 only
    userId = f.String()
    userPrincipalName = f.String()


class PersonNamePronounciationSchema(GraphSchema):
    """Graph's spelling (sic); the docs call the same type yomiPersonName."""

    graph_type = "personNamePronounciation"
    displayName = f.String()
    first = f.String()
    last = f.String()
    maiden = f.String()
    middle = f.String()
