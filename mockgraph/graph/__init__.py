"""The emulated Microsoft Graph API: routes, schemas, OData queries, auth, errors, the request pipeline."""
