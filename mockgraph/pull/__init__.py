"""`mockgraph pull`: a tenant's users and profile data, read from Graph into a fixture file.

- `client`: GETs with bounded retries on throttling (`Retry-After`), `@odata.nextLink` followed.
- `snapshot`: users and every collection in `FACETS`, shaped to what the mock declares.
- `anonymize`: names, emails, phone numbers and free text replaced by consistent stand-ins.
- `command` and `run`: the command line and one run of it.
"""
