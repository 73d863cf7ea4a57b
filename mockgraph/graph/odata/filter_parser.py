"""`$filter` syntax: tokenizer, expression tree and recursive-descent parser.

Our own parser: no well-kept OData filter library exists for Python (the few on PyPI are abandoned,
tied to an ORM, or cover far less of the grammar), and the subset Graph's profile API needs is small.
Grammar, lowest precedence first (OData's order: `not` binds tighter than comparisons, which bind
tighter than `and`, then `or`):

    or_expr    := and_expr ("or" and_expr)*
    and_expr   := equality ("and" equality)*
    equality   := relational (("eq" | "ne") relational)*
    relational := unary (("gt" | "ge" | "lt" | "le") unary)*
    unary      := "not" unary | primary
    primary    := "(" or_expr ")" | literal | path | function "(" or_expr ("," or_expr)* ")"
                | path "/any(" [name ":" or_expr] ")"

Literals: 'strings' ('' escapes a quote), integers and decimals (negative too), true, false, null,
unquoted dates (2020-01-01) and timestamps (2020-01-01T10:00:00.5+02:00). Paths use `/`.
`and`/`or` chains become one n-ary node, so long chains cost no recursion; nesting is bounded
(`MAX_NESTING` parentheses/`not`/calls, `MAX_DEPTH` tree depth): deeper input is a 400, never a
`RecursionError`. Syntax errors are `BadRequest("Invalid filter clause: ...")` naming the position.
The tree's size is bounded too, as Graph bounds it: past `MAX_NODES` nodes (every literal, property,
operator and call; an n-ary `and`/`or` counts as its n-1 binary operators) parsing stops with
Graph's "node count limit" 400, so the work a filter asks for per item is bounded.
"""

from __future__ import annotations

import operator
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from mockgraph.graph.errors import BadRequest
from mockgraph.graph.odata import _values as v

MAX_NESTING = 50
MAX_DEPTH = 100
MAX_NODES = 100  # Graph's (OData's MaxNodeCount default)
PREFIX = "Invalid filter clause: "
NODE_COUNT_EXCEEDED = (
    f"The query specified in the URI is not valid. The node count limit of '{MAX_NODES}' has been exceeded."
)

_TOKEN_RE = re.compile(
    r"""
    (?P<ws>\s+)
  | (?P<string>'(?:[^']|'')*')
  | (?P<datetime>\d{4}-\d{2}-\d{2}[Tt]\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:[Zz]|[+-]\d{2}:\d{2})?)
  | (?P<date>\d{4}-\d{2}-\d{2})
  | (?P<number>-?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?)
  | (?P<name>[A-Za-z_]\w*(?:/[A-Za-z_]\w*)*)
  | (?P<punct>[(),:])
    """,
    re.VERBOSE | re.ASCII,
)
_EQUALITY = ("eq", "ne")
_RELATIONAL = ("gt", "ge", "lt", "le")
_KEYWORDS = frozenset({"and", "or", "not", *_EQUALITY, *_RELATIONAL})
FUNCTIONS = {
    "startswith": str.startswith,
    "endswith": str.endswith,
    "contains": operator.contains,
}
_LAMBDAS = ("any", "all")


def filter_error(detail: str) -> BadRequest:
    return BadRequest(PREFIX + detail)


def shown(text: str, limit: int = 60) -> str:
    return text if len(text) <= limit else text[: limit - 3] + "..."


# ---------------------------------------------------------------------------------------------- tokens


@dataclass(frozen=True, slots=True)
class Token:
    kind: str  # string, datetime, date, number, name, "(", ")", ",", ":", end
    text: str
    pos: int


def tokenize(text: str) -> list[Token]:
    tokens: list[Token] = []
    pos, length = 0, len(text)
    while pos < length:
        m = _TOKEN_RE.match(text, pos)
        if m is None:
            if text[pos] == "'":
                raise filter_error(f"unterminated string literal starting at position {pos}.")
            raise filter_error(f"unexpected character '{text[pos]}' at position {pos}.")
        kind = m.lastgroup
        if kind == "punct":
            tokens.append(Token(m.group(), m.group(), pos))
        elif kind != "ws":
            tokens.append(Token(kind, m.group(), pos))
        pos = m.end()
    tokens.append(Token("end", "", length))
    return tokens


# ----------------------------------------------------------------------------------------------- nodes


@dataclass(frozen=True, slots=True)
class Node:
    start: int
    end: int
    depth: int


@dataclass(frozen=True, slots=True)
class Literal(Node):
    kind: str  # string, number, boolean, null, date, datetime
    value: Any  # str, int/float, bool, None, date ordinal, UTC ticks


@dataclass(frozen=True, slots=True)
class Property(Node):
    path: str


@dataclass(frozen=True, slots=True)
class Variable(Node):
    name: str


@dataclass(frozen=True, slots=True)
class Not(Node):
    operand: Node


@dataclass(frozen=True, slots=True)
class Logical(Node):
    op: str  # and, or
    operands: tuple[Node, ...]


@dataclass(frozen=True, slots=True)
class Compare(Node):
    op: str
    left: Node
    right: Node


@dataclass(frozen=True, slots=True)
class Call(Node):
    name: str
    args: tuple[Node, ...]


@dataclass(frozen=True, slots=True)
class Any_(Node):
    path: str
    var: str | None
    body: Node | None


# ---------------------------------------------------------------------------------------------- parser


class _Parser:
    def __init__(self, text: str):
        self.text = text
        self.tokens = tokenize(text)
        self.i = 0
        self.nesting = 0
        self.nodes = 0
        self.var: str | None = None

    # token helpers
    def peek(self) -> Token:
        return self.tokens[self.i]

    def advance(self) -> Token:
        tok = self.tokens[self.i]
        if tok.kind != "end":
            self.i += 1
        return tok

    def at_keyword(self, *words: str) -> bool:
        tok = self.tokens[self.i]
        return tok.kind == "name" and tok.text in words

    def expect(self, kind: str, what: str) -> Token:
        tok = self.advance()
        if tok.kind != kind:
            raise filter_error(f"expected {what} at position {tok.pos} but found {self.describe(tok)}.")
        return tok

    @staticmethod
    def describe(tok: Token) -> str:
        return "the end of the expression" if tok.kind == "end" else f"'{shown(tok.text, 40)}'"

    def enter(self, pos: int) -> None:
        self.nesting += 1
        if self.nesting > MAX_NESTING:
            raise filter_error(
                f"the expression is nested too deeply at position {pos} (the limit is {MAX_NESTING} levels)."
            )

    def checked(self, node: Node, count: int = 1) -> Node:
        if node.depth > MAX_DEPTH:
            raise filter_error(f"the expression is too deeply nested (the limit is {MAX_DEPTH} levels).")
        self.nodes += count
        if self.nodes > MAX_NODES:
            raise BadRequest(NODE_COUNT_EXCEEDED)
        return node

    # grammar
    def parse(self) -> Node:
        if self.peek().kind == "end":
            raise filter_error("the filter expression is empty.")
        node = self.or_expr()
        tok = self.peek()
        if tok.kind != "end":
            if tok.kind == ")":
                raise filter_error(f"unbalanced ')' at position {tok.pos}.")
            raise filter_error(
                f"unexpected {self.describe(tok)} at position {tok.pos}; expected 'and', 'or' or the end."
            )
        return node

    def or_expr(self) -> Node:
        return self.logical("or", self.and_expr)

    def and_expr(self) -> Node:
        return self.logical("and", self.equality)

    def logical(self, op: str, operand: Callable[[], Node]) -> Node:
        first = operand()
        if not self.at_keyword(op):
            return first
        operands = [first]
        while self.at_keyword(op):
            self.advance()
            operands.append(operand())
        depth = max(o.depth for o in operands) + 1
        node = Logical(first.start, operands[-1].end, depth, op, tuple(operands))
        return self.checked(node, len(operands) - 1)

    def equality(self) -> Node:
        return self.comparison(_EQUALITY, self.relational)

    def relational(self) -> Node:
        return self.comparison(_RELATIONAL, self.unary)

    def comparison(self, ops: tuple[str, ...], operand: Callable[[], Node]) -> Node:
        left = operand()
        while self.at_keyword(*ops):
            op = self.advance().text
            right = operand()
            depth = max(left.depth, right.depth) + 1
            left = self.checked(Compare(left.start, right.end, depth, op, left, right))
        return left

    def unary(self) -> Node:
        if self.at_keyword("not"):
            tok = self.advance()
            self.enter(tok.pos)
            operand = self.unary()
            self.nesting -= 1
            return self.checked(Not(tok.pos, operand.end, operand.depth + 1, operand))
        return self.primary()

    def primary(self) -> Node:
        tok = self.advance()
        kind, text, pos = tok.kind, tok.text, tok.pos
        end = pos + len(text)
        if kind == "(":
            self.enter(pos)
            node = self.or_expr()
            close = self.peek()
            if close.kind != ")":
                raise filter_error(
                    f"missing ')' for the '(' at position {pos}: found {self.describe(close)} at position {close.pos}."
                )
            self.advance()
            self.nesting -= 1
            return node
        if kind == "string":
            return self.checked(Literal(pos, end, 1, "string", text[1:-1].replace("''", "'")))
        if kind == "number":
            try:
                value: int | float = float(text) if any(c in text for c in ".eE") else int(text)
            except ValueError:  # int() refuses more than 4,300 digits
                raise filter_error(f"the number at position {pos} has too many digits.") from None
            return self.checked(Literal(pos, end, 1, "number", value))
        if kind == "date":
            ordinal = v.date_ordinal(text)
            if ordinal is None:
                raise filter_error(f"'{text}' at position {pos} is not a valid date.")
            return self.checked(Literal(pos, end, 1, "date", ordinal))
        if kind == "datetime":
            ticks = v.instant_ticks(text, require_zone=True)
            if ticks is None:
                raise filter_error(
                    f"'{text}' at position {pos} is not a valid timestamp "
                    "(it needs a valid date, time and a zone: 'Z' or an offset such as +02:00)."
                )
            return self.checked(Literal(pos, end, 1, "datetime", ticks))
        if kind == "name":
            return self.name(tok)
        if kind == ")":
            raise filter_error(f"unbalanced ')' at position {pos}.")
        if kind == "end":
            raise filter_error(f"the expression ends too early: expected a value at position {pos}.")
        raise filter_error(f"unexpected '{text}' at position {pos}.")

    def name(self, tok: Token) -> Node:
        text, pos = tok.text, tok.pos
        end = pos + len(text)
        if text in ("true", "false"):
            return self.checked(Literal(pos, end, 1, "boolean", text == "true"))
        if text == "null":
            return self.checked(Literal(pos, end, 1, "null", None))
        if text in _KEYWORDS:
            raise filter_error(f"unexpected keyword '{text}' at position {pos}: expected a value.")
        if self.peek().kind == "(":
            head, _, last = text.rpartition("/")
            if head and last in _LAMBDAS:
                return self.lambda_(head, last, pos)
            return self.call(text, pos)
        first, _, rest = text.partition("/")
        if self.var is not None and first == self.var:
            if rest:
                raise filter_error(f"the lambda variable '{first}' is a string and has no property '{rest}'.")
            return self.checked(Variable(pos, end, 1, text))
        return self.checked(Property(pos, end, 1, text))

    def call(self, name: str, pos: int) -> Node:
        if name not in FUNCTIONS:
            known = ", ".join(FUNCTIONS)
            raise filter_error(f"unknown function '{name}' at position {pos}; supported functions: {known}.")
        self.enter(pos)
        self.advance()  # (
        args = [self.or_expr()]
        while self.peek().kind == ",":
            self.advance()
            args.append(self.or_expr())
        close = self.expect(")", f"',' or ')' to close {name}(")
        self.nesting -= 1
        depth = max(a.depth for a in args) + 1
        return self.checked(Call(pos, close.pos + 1, depth, name, tuple(args)))

    def lambda_(self, path: str, operator_name: str, pos: int) -> Node:
        if operator_name != "any":
            raise filter_error(f"the lambda operator '{operator_name}' is not supported; use '{path}/any(...)'.")
        if self.var is not None:
            raise filter_error(f"nested lambda expressions are not supported (position {pos}).")
        self.enter(pos)
        self.advance()  # (
        if self.peek().kind == ")":
            close = self.advance()
            self.nesting -= 1
            return self.checked(Any_(pos, close.pos + 1, 1, path, None, None))
        var_tok = self.expect("name", "a lambda variable name")
        if "/" in var_tok.text or var_tok.text in _KEYWORDS or var_tok.text in ("true", "false", "null"):
            raise filter_error(f"'{var_tok.text}' at position {var_tok.pos} cannot be a lambda variable name.")
        self.expect(":", f"':' after the lambda variable '{var_tok.text}'")
        self.var = var_tok.text
        body = self.or_expr()
        self.var = None
        close = self.expect(")", f"')' to close {path}/any(")
        self.nesting -= 1
        return self.checked(Any_(pos, close.pos + 1, body.depth + 1, path, var_tok.text, body))


def parse_filter(text: str) -> Node:
    """Parse a `$filter` expression into a tree (syntax only; `compile_filter` checks types)."""
    return _Parser(text).parse()
