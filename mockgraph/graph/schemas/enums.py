"""Graph's enum types used by the profile, members in the OpenAPI's order (the order a flags enum is
written back in). Input matches them ignoring case; output is the member as written here."""

from __future__ import annotations

ALLOWED_AUDIENCES = (
    "me", "family", "contacts", "groupMembers", "organization", "federatedOrganizations", "everyone",
    "unknownFutureValue",
)
BODY_TYPE = ("text", "html")
EMAIL_TYPE = ("unknown", "work", "personal", "main", "other")
LANGUAGE_PROFICIENCY_LEVEL = (
    "elementary", "conversational", "limitedWorking", "professionalWorking", "fullProfessional",
    "nativeOrBilingual", "unknownFutureValue",
)
PERSON_ANNUAL_EVENT_TYPE = ("birthday", "wedding", "work", "other", "unknownFutureValue")
PERSON_RELATIONSHIP = (
    "manager", "colleague", "directReport", "dotLineReport", "assistant", "dotLineManager",
    "alternateContact", "friend", "spouse", "sibling", "child", "parent", "sponsor", "emergencyContact",
    "other", "unknownFutureValue",
)
PHONE_TYPE = (
    "home", "business", "mobile", "other", "assistant", "homeFax", "businessFax", "otherFax", "pager", "radio",
)
PHYSICAL_ADDRESS_TYPE = ("unknown", "home", "business", "other")
SKILL_PROFICIENCY_LEVEL = (
    "elementary", "limitedWorking", "generalProfessional", "advancedProfessional", "expert", "unknownFutureValue",
)
# Only in the SDK 1.66.0 (and Graph's current type mappings), not in the OpenAPI copy.
USER_PERSONA = ("unknown", "externalMember", "externalGuest", "internalMember", "internalGuest", "unknownFutureValue")
