"""Graph's entity types: the user, the itemFacet base, and one module per profile item type."""

from mockgraph.graph.schemas.entities.educational_activity import EducationalActivitySchema
from mockgraph.graph.schemas.entities.item_address import ItemAddressSchema
from mockgraph.graph.schemas.entities.item_email import ItemEmailSchema
from mockgraph.graph.schemas.entities.item_facet import ItemFacetSchema
from mockgraph.graph.schemas.entities.item_patent import ItemPatentSchema
from mockgraph.graph.schemas.entities.item_phone import ItemPhoneSchema
from mockgraph.graph.schemas.entities.item_publication import ItemPublicationSchema
from mockgraph.graph.schemas.entities.language_proficiency import LanguageProficiencySchema
from mockgraph.graph.schemas.entities.person_annotation import PersonAnnotationSchema
from mockgraph.graph.schemas.entities.person_annual_event import PersonAnnualEventSchema
from mockgraph.graph.schemas.entities.person_award import PersonAwardSchema
from mockgraph.graph.schemas.entities.person_certification import PersonCertificationSchema
from mockgraph.graph.schemas.entities.person_interest import PersonInterestSchema
from mockgraph.graph.schemas.entities.person_name import PersonNameSchema
from mockgraph.graph.schemas.entities.person_website import PersonWebsiteSchema
from mockgraph.graph.schemas.entities.project_participation import ProjectParticipationSchema
from mockgraph.graph.schemas.entities.skill_proficiency import SkillProficiencySchema
from mockgraph.graph.schemas.entities.user import UserSchema
from mockgraph.graph.schemas.entities.user_account_information import UserAccountInformationSchema
from mockgraph.graph.schemas.entities.web_account import WebAccountSchema
from mockgraph.graph.schemas.entities.work_position import WorkPositionSchema

__all__ = [
    "EducationalActivitySchema",
    "ItemAddressSchema",
    "ItemEmailSchema",
    "ItemFacetSchema",
    "ItemPatentSchema",
    "ItemPhoneSchema",
    "ItemPublicationSchema",
    "LanguageProficiencySchema",
    "PersonAnnotationSchema",
    "PersonAnnualEventSchema",
    "PersonAwardSchema",
    "PersonCertificationSchema",
    "PersonInterestSchema",
    "PersonNameSchema",
    "PersonWebsiteSchema",
    "ProjectParticipationSchema",
    "SkillProficiencySchema",
    "UserAccountInformationSchema",
    "UserSchema",
    "WebAccountSchema",
    "WorkPositionSchema",
]
