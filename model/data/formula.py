"""A user's curve y = f(x), parsed by a small recursive-descent parser: never ``eval``.

The grammar (``^`` binds tighter than unary minus, and is right-associative)::

    expr   := term (("+" | "-") term)*
    term   := unary (("*" | "/") unary)*
    unary  := ("-" | "+") unary | power
    power  := atom ("^" unary)?
    atom   := NUMBER | "x" | FUNCTION "(" expr ")" | "(" expr ")"

NUMBER is a plain decimal (``2``, ``0.5``, ``.5``, ``1e-3``); FUNCTION is one of ``FUNCTIONS``.
There are no other names, no attribute access, no calls of anything else: the parser builds a
tree of tuples and ``Formula.__call__`` evaluates it with numpy, element-wise over x. So
``-x^2`` is −(x²), ``2^-1`` is 0.5 and ``x^2/3`` is (x²)/3. Text is at most ``MAX_LENGTH``
characters and nests at most ``MAX_DEPTH`` levels (parentheses, calls, unary signs and powers
each count), so no input can exhaust Python's stack. Every problem is a ``FormulaError`` in one
line naming the 1-based character position, e.g. ``formula: unexpected ')' at position 7``.
"""
from __future__ import annotations

import math
import re

import numpy as np

MAX_LENGTH = 200
MAX_DEPTH = 20

FUNCTIONS = {
    "sin": np.sin, "cos": np.cos, "tan": np.tan, "exp": np.exp, "log": np.log,
    "sqrt": np.sqrt, "abs": np.abs, "tanh": np.tanh,
}
_TOKEN = re.compile(r"\s*(?:(?P<number>(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][-+]?[0-9]+)?)"
                    r"|(?P<name>[A-Za-z_][A-Za-z_0-9]*)|(?P<op>[-+*/^()]))")
_BINARY = {"+": np.add, "-": np.subtract, "*": np.multiply, "/": np.divide, "^": np.power}


class FormulaError(ValueError):
    """A formula that cannot be used; the message is one line with the position."""


def _fail(message: str, position: int | None = None) -> None:
    where = "" if position is None else f" at position {position + 1}"
    raise FormulaError(f"formula: {message}{where}")


def _describe(token) -> str:
    kind, text, _ = token
    return "the end" if kind == "end" else repr(text)


def tokenize(text: str) -> list[tuple[str, str, int]]:
    """(kind, text, position) per token, kind "number" | "name" | "op", then ("end", "", n)."""
    tokens, pos = [], 0
    while pos < len(text):
        if text[pos:].strip() == "":
            break
        match = _TOKEN.match(text, pos)
        if match is None:
            start = pos + len(text[pos:]) - len(text[pos:].lstrip())
            char = text[start]
            shown = repr(char) if char.isprintable() else f"U+{ord(char):04X}"
            _fail(f"unexpected character {shown}", start)
        kind = match.lastgroup
        tokens.append((kind, match.group(kind), match.start(kind)))
        pos = match.end()
    tokens.append(("end", "", len(text)))
    return tokens


class _Parser:
    def __init__(self, tokens):
        self.tokens = tokens
        self.i = 0
        self.depth = 0

    def peek(self):
        return self.tokens[self.i]

    def take(self):
        token = self.tokens[self.i]
        self.i += 1
        return token

    def nest(self, position):
        self.depth += 1
        if self.depth > MAX_DEPTH:
            _fail(f"nested more than {MAX_DEPTH} levels deep", position)

    def expr(self):
        node = self.term()
        while self.peek()[1] in ("+", "-") and self.peek()[0] == "op":
            op = self.take()[1]
            node = ("bin", op, node, self.term())
        return node

    def term(self):
        node = self.unary()
        while self.peek()[1] in ("*", "/") and self.peek()[0] == "op":
            op = self.take()[1]
            node = ("bin", op, node, self.unary())
        return node

    def unary(self):
        kind, text, pos = self.peek()
        if kind == "op" and text in ("-", "+"):
            self.take()
            self.nest(pos)
            operand = self.unary()
            self.depth -= 1
            return ("neg", operand) if text == "-" else operand
        return self.power()

    def power(self):
        base = self.atom()
        kind, text, pos = self.peek()
        if kind == "op" and text == "^":
            self.take()
            self.nest(pos)
            exponent = self.unary()
            self.depth -= 1
            return ("bin", "^", base, exponent)
        return base

    def atom(self):
        kind, text, pos = self.take()
        if kind == "number":
            value = float(text)
            if not math.isfinite(value):
                _fail(f"the number {text[:20]!r} is too large", pos)
            return ("num", value)
        if kind == "name":
            if text == "x":
                return ("x",)
            if text in FUNCTIONS:
                if self.peek()[1] != "(":
                    _fail(f"{text} needs its argument in parentheses, e.g. {text}(x)",
                          self.peek()[2])
                return ("call", text, self.group(self.take()[2]))
            _fail(f"unknown name {text[:20]!r} (use x and the functions "
                  f"{', '.join(FUNCTIONS)})", pos)
        if kind == "op" and text == "(":
            return self.group(pos)
        if kind == "end":
            _fail("the formula ends too soon", pos)
        if text == "*" and self.tokens[self.i - 2][1] == "*":
            _fail("unexpected '*' (write powers with ^, e.g. x^2)", pos)
        _fail(f"unexpected {text!r}", pos)

    def group(self, open_pos):
        """After "(": an expression and its ")"."""
        self.nest(open_pos)
        node = self.expr()
        kind, text, pos = self.take()
        if text != ")" or kind != "op":
            _fail(f"expected ')' to close the '(' at position {open_pos + 1}, found "
                  f"{_describe((kind, text, pos))}", pos)
        self.depth -= 1
        return node


def _evaluate(node, x: np.ndarray) -> np.ndarray:
    kind = node[0]
    if kind == "num":
        return np.full_like(x, node[1])
    if kind == "x":
        return x
    if kind == "neg":
        return np.negative(_evaluate(node[1], x))
    if kind == "call":
        return FUNCTIONS[node[1]](_evaluate(node[2], x))
    return _BINARY[node[1]](_evaluate(node[2], x), _evaluate(node[3], x))


class Formula:
    """A parsed y = f(x); calling it on an array gives f element-wise (NaN or ±inf where f is
    undefined or overflows, never a warning)."""

    def __init__(self, text: str, tree):
        self.text = text
        self.tree = tree

    def __call__(self, x) -> np.ndarray:
        x = np.asarray(x, dtype=np.float64)
        with np.errstate(all="ignore"):
            return _evaluate(self.tree, x)

    def __repr__(self):
        return f"Formula({self.text!r})"


def parse_formula(text) -> Formula:
    """The formula in ``text`` (see the module doc); FormulaError in one line otherwise."""
    if not isinstance(text, str):
        _fail(f"expected text, got {type(text).__name__}")
    if len(text) > MAX_LENGTH:
        _fail(f"too long ({len(text)} characters, at most {MAX_LENGTH})")
    if not text.strip():
        _fail("empty: write y as a function of x, e.g. x^2/3 - 2")
    parser = _Parser(tokenize(text))
    tree = parser.expr()
    kind, token, pos = parser.peek()
    if kind != "end":
        if kind == "op" and token == ")":
            _fail("unexpected ')' (no '(' to close)", pos)
        _fail(f"expected an operator (+ - * / ^) before {token[:20]!r}", pos)
    return Formula(text.strip(), tree)
