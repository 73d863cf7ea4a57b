"""Apply validated query options to one collection: filter, count, sort, skip, page, select.

Linear in the number of items apart from the sort (`n log n`, each key computed once), and the page
start after a `$skiptoken` is found by binary search (by a scan when the token's key was cut and its
item is gone: see `paging`).
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from urllib.parse import quote

from mockgraph.graph.odata.filter import compile_filter
from mockgraph.graph.odata.options import QueryOptions
from mockgraph.graph.odata.orderby import comparable_key, compile_orderby, keyed_sort
from mockgraph.graph.odata.paging import SkipTokenCodec, invalid_token, is_after

# Characters left as they are in a nextLink's query: readable, and never separators in a query string.
_QUERY_SAFE = "$,'()/:@!*"
_PATH_SAFE = "/@:!$'()*,;=-._~"


@dataclass(frozen=True)
class Page:
    """One page: `items` projected by `$select` (the stored mappings themselves without `$select`);
    `count` only when `$count=true` on the first page; `next_skiptoken` when more results remain."""

    items: list[Mapping]
    count: int | None
    next_skiptoken: str | None


def project(item: Mapping, select: Sequence[str] | None, top_level: Sequence[str] | None = None) -> Mapping:
    """`item` reduced to the selected properties plus `id`, in the type's order (`top_level`; without
    it, `id` first then `select` as given). Absent properties are null. No `$select`: the item itself."""
    if select is None:
        return item
    wanted = set(select) | {"id"}
    names = [n for n in top_level if n in wanted] if top_level is not None else ["id", *select]
    return {name: item.get(name) for name in dict.fromkeys(names)}


def run_list_query(
    items: Sequence[Mapping],
    options: QueryOptions,
    *,
    properties: Mapping[str, str],
    page_size: int,
    codec: SkipTokenCodec,
    top_level: Sequence[str] | None = None,
    type_name: str = "itemFacet",
) -> Page:
    """Filter, count, sort, skip and page `items` (one user's collection) as `options` say.

    The page size is `$top` when given, else `page_size`. `$skip` applies to the first page only; a
    `$skiptoken` page starts at the first item whose sort key is strictly after the token's.
    Raises `BadRequest` for a bad filter/orderby (when `options` was parsed without `properties`) or a
    skiptoken that this codec did not issue for these options.
    """
    if page_size < 1:
        raise ValueError("page_size must be at least 1")
    predicate = options.predicate
    if predicate is None and options.filter is not None:
        predicate = compile_filter(options.filter, properties, type_name=type_name)
    clauses = options.order or compile_orderby(options.orderby, properties, type_name=type_name)

    matching = [item for item in items if predicate(item)] if predicate is not None else list(items)
    count = len(matching) if options.count and options.skiptoken is None else None
    rows = keyed_sort(matching, clauses, properties)

    fingerprint = options.fingerprint
    if options.skiptoken is not None:
        last = codec.decode(options.skiptoken, fingerprint)
        if len(last) != len(clauses):
            raise invalid_token(options.skiptoken)
        try:
            whole = codec.full_key(last, (raw for _, raw, _ in rows))
            if whole is not None:
                rows = rows[bisect_right(rows, comparable_key(whole, clauses), key=lambda row: row[0]):]
            else:  # a cut key whose item is gone: order by what the token holds
                rows = [row for row in rows if is_after(row[1], last, clauses)]
        except TypeError:  # a key of other types than these properties have now
            raise invalid_token(options.skiptoken) from None
    else:
        rows = rows[options.skip or 0:]

    size = options.top or page_size
    page = rows[:size]
    next_token = codec.encode(page[-1][1], fingerprint) if page and size < len(rows) else None
    return Page(
        items=[project(item, options.select, top_level) for _, _, item in page],
        count=count,
        next_skiptoken=next_token,
    )


def count_matching(
    items: Iterable[Mapping],
    filter_text: str | None,
    properties: Mapping[str, str],
    *,
    type_name: str = "itemFacet",
) -> int:
    """How many items match `$filter` (all of them without one): the `/$count` segment."""
    if filter_text is None:
        return sum(1 for _ in items)
    predicate = compile_filter(filter_text, properties, type_name=type_name)
    return sum(1 for item in items if predicate(item))


def next_link(base_url: str, path: str, pairs: Iterable[tuple[str, str]], skiptoken: str) -> str:
    """The absolute `@odata.nextLink`: `base_url` + `path` (decoded, as the router saw it) with the
    original query pairs, minus any old `$skiptoken`/`skiptoken`, plus `$skiptoken=...`, encoded."""
    kept = [(k, v) for k, v in pairs if k not in ("$skiptoken", "skiptoken")]
    kept.append(("$skiptoken", skiptoken))
    query = "&".join(f"{quote(k, safe=_QUERY_SAFE)}={quote(v, safe=_QUERY_SAFE)}" for k, v in kept)
    return f"{base_url.rstrip('/')}/{quote(path.lstrip('/'), safe=_PATH_SAFE)}?{query}"
