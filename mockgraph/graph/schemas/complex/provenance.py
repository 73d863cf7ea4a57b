"""Where a profile item comes from: the itemFacet base's inference and source types."""

from __future__ import annotations

from mockgraph.graph.schemas import fields as f
from mockgraph.graph.schemas.base import GraphSchema


class InferenceDataSchema(GraphSchema):
    graph_type = "inferenceData"
    confidenceScore = f.Double()
    userHasVerifiedAccuracy = f.Boolean()


class PersonDataSourcesSchema(GraphSchema):
    graph_type = "personDataSources"
    # The docs type it as one string, the OpenAPI as a list: accept both, store the list.
    type = f.StringCollection(accept_single=True)


class ProfileSourceAnnotationSchema(GraphSchema):
    graph_type = "profileSourceAnnotation"
    isDefaultSource = f.Boolean()
    properties = f.StringCollection()
    sourceId = f.String()
