"""Remembering answers to what clients send (tokens, header names and values, Host): bounded in how
many answers are kept and in how long a kept key may be, so that no client can fill the memory."""

from __future__ import annotations

import functools
from collections.abc import Callable


def remember_short(maxsize: int, longest: int) -> Callable[[Callable], Callable]:
    """`functools.lru_cache(maxsize)` for a function of text arguments, except that a call whose
    arguments are longer than `longest` characters in all is computed and not kept. The wrapper has
    lru_cache's `cache_info`, `cache_clear` and `cache_parameters`."""

    def wrap(func: Callable) -> Callable:
        cached = functools.lru_cache(maxsize=maxsize)(func)

        @functools.wraps(func)
        def call(*args):
            return cached(*args) if sum(map(len, args)) <= longest else func(*args)

        call.cache_info = cached.cache_info
        call.cache_clear = cached.cache_clear
        call.cache_parameters = cached.cache_parameters
        call.longest = longest
        return call

    return wrap
