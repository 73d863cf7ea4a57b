"""OData query options for list and get routes: pure functions, no Flask and no storage.

- `options.parse_query_options`: validate a request's query pairs into `QueryOptions`;
- `filter.compile_filter`: `$filter` text to a predicate;
- `orderby.compile_orderby` / `orderby.sort_items`: `$orderby` and the default order;
- `paging.SkipTokenCodec`: signed keyset `$skiptoken`s;
- `query.run_list_query`, `query.count_matching`, `query.next_link`: apply the options to one
  collection.

Properties are described by a mapping from path (`detail/company/address/city`) to a type name:
string, boolean, int32, double, date, dateTimeOffset, enum, collection(string).
"""
