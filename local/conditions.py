"""``successCondition`` / ``failureCondition`` of an AnalysisTemplate: the expr-lang subset the rehearsal evaluates.

Argo Rollouts v1.8.3 compiles each condition with expr-lang (github.com/antonmedv/expr v1.15.5, go.mod) against an
env of ``result`` plus ``asInt``, ``asFloat``, ``isNaN``, ``isInf``, ``isNil`` and ``default``, and wants a bool back
(argo-rollouts@v1.8.3:utils/evaluate/evaluate.go, ``EvalCondition`` lines 93-130). Here the condition is translated
token by token into a Python expression, checked node by node against a whitelist, and evaluated by simpleeval.
Whatever cannot be translated with the same meaning is refused with a ``ConditionError`` naming it, never guessed:

- ``&&``/``and`` -> ``and``, ``||``/``or`` -> ``or``: both short-circuit in expr (compiler.go ``OpJumpIfFalse``) and
  in simpleeval (``_eval_boolop``); a non-bool operand is an error in both.
- ``!x``/``not x`` -> ``(not x)``: expr's unary ``!`` binds tighter than comparisons (parser/operator/operator.go:
  precedence 50 against 20) while Python's ``not`` binds looser, so the operand is wrapped; an operand followed by
  ``*``, ``/`` or ``**`` (which bind tighter still in expr) is refused.
- ``a < b < c``: Python chains comparisons, expr evaluates left to right: refused.
- strings, ``%``, ``^``, ``in``, ``matches``, ``?:``, ``??``, ``..``, member access, pipes and closures: refused.

Evaluation errors (``result[0]`` of an empty result, ``len`` of a scalar, a non-bool answer) raise
``EvaluationError``: Argo turns them into a measurement in phase Error.
"""

from __future__ import annotations

import ast
import math
import operator
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

from simpleeval import DEFAULT_OPERATORS, InvalidExpression, SimpleEval


class ConditionError(ValueError):
    """The condition uses expr-lang that the rehearsal cannot evaluate with Argo's meaning."""


class EvaluationError(Exception):
    """Evaluating the condition failed, as it would in expr (Argo Rollouts: measurement phase Error)."""


def _as_int(value: Any) -> int:
    if isinstance(value, str):
        return int(value, 10)
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise EvaluationError(f"asInt() not supported on {type(value).__name__} {value!r}")
    return int(value)  # Go's int64(f) truncates toward zero, as int() does


def _as_float(value: Any) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float | str):
        raise EvaluationError(f"asFloat() not supported on {type(value).__name__} {value!r}")
    return float(value)


def _number(value: Any, name: str) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise EvaluationError(f"{name}() wants a number, not {type(value).__name__} {value!r}")
    return float(value)


def _length(value: Any) -> int:
    if not isinstance(value, list):
        raise EvaluationError(f"invalid argument for len (type {type(value).__name__})")
    return len(value)


def _functions(result: Any) -> dict[str, Callable[..., Any]]:
    """evaluate.go ``EvalCondition``'s env (lines 97-105) plus expr's builtin ``len``."""
    return {
        "len": _length,
        "asInt": _as_int,
        "asFloat": _as_float,
        "isNaN": lambda value: math.isnan(_number(value, "isNaN")),
        "isInf": lambda value: math.isinf(_number(value, "isInf")),
        "isNil": lambda _value: result is None,
        "default": lambda _value, fallback: fallback if result is None else result,
    }


FUNCTIONS = frozenset(_functions(None))
_LITERALS = {"true": "True", "false": "False", "nil": "None"}
_TOKEN = re.compile(
    r"\s+|(?P<number>\d+\.\d+(?:[eE][+-]?\d+)?|\d+(?:[eE][+-]?\d+)?)|(?P<name>[A-Za-z_][A-Za-z0-9_]*)"
    r"|(?P<op>&&|\|\||==|!=|<=|>=|\*\*|[<>!+\-*/()\[\],])"
)
_TIGHTER_THAN_NOT = frozenset({"*", "/", "**"})


@dataclass(frozen=True)
class _Token:
    kind: str  # number | name | op
    text: str


def _tokens(source: str) -> list[_Token]:
    tokens, position = [], 0
    while position < len(source):
        match = _TOKEN.match(source, position)
        if match is None:
            raise ConditionError(f"cannot translate {source!r}: unsupported syntax at {source[position:]!r}")
        position = match.end()
        if match.lastgroup:
            tokens.append(_Token(match.lastgroup, match.group(match.lastgroup)))
    return tokens


class _Translator:
    """expr-lang tokens -> Python source, refusing what would change meaning."""

    def __init__(self, source: str) -> None:
        self.source = source
        self.tokens = _tokens(source)

    def refuse(self, why: str) -> ConditionError:
        return ConditionError(f"cannot translate {self.source!r} safely: {why}")

    def translate(self) -> str:
        out, index = [], 0
        while index < len(self.tokens):
            text, index = self._token_or_not(index)
            out.append(text)
        return " ".join(out)

    def _token_or_not(self, index: int) -> tuple[str, int]:
        token = self.tokens[index]
        if token.text in ("!", "not"):
            operand, end = self._primary(index + 1)
            if end < len(self.tokens) and self.tokens[end].text in _TIGHTER_THAN_NOT:
                raise self.refuse(f"`{token.text}` before `{self.tokens[end].text}` (expr binds them differently)")
            return f"(not {operand})", end
        return self._plain(token), index + 1

    def _plain(self, token: _Token) -> str:
        if token.kind == "number":
            return token.text
        if token.kind == "op":
            return {"&&": "and", "||": "or"}.get(token.text, token.text)
        if token.text in ("and", "or"):
            return token.text
        if token.text in _LITERALS:
            return _LITERALS[token.text]
        if token.text == "result" or token.text in FUNCTIONS:
            return token.text
        raise self.refuse(f"unknown name or operator `{token.text}`")

    def _primary(self, index: int) -> tuple[str, int]:
        """The operand of a unary not: a literal, `( ... )`, or a name with calls/indexes, or another not."""
        if index >= len(self.tokens):
            raise self.refuse("`!` without an operand")
        token = self.tokens[index]
        if token.text in ("!", "not"):
            return self._token_or_not(index)
        if token.text == "(":
            return self._group(index, "(", ")")
        if token.kind == "number" or token.text in _LITERALS:
            return self._plain(token), index + 1
        if token.kind != "name":
            raise self.refuse(f"`!` before `{token.text}`")
        parts, end = [self._plain(token)], index + 1
        while end < len(self.tokens) and self.tokens[end].text in ("(", "["):
            opener = self.tokens[end].text
            group, end = self._group(end, opener, ")" if opener == "(" else "]")
            parts.append(group)
        return "".join(parts), end

    def _group(self, index: int, opener: str, closer: str) -> tuple[str, int]:
        depth, end = 0, index
        while end < len(self.tokens):
            text = self.tokens[end].text
            depth += {opener: 1, closer: -1}.get(text, 0)
            if depth == 0 and end > index:
                inner = " ".join(self._inner(index + 1, end))
                return f"{opener}{inner}{closer}", end + 1
            end += 1
        raise self.refuse(f"unbalanced `{opener}`")

    def _inner(self, start: int, stop: int) -> Iterator[str]:
        index = start
        while index < stop:
            text, index = self._token_or_not(index)
            yield text


_ALLOWED_NODES = (
    ast.Expression,
    ast.BoolOp,
    ast.And,
    ast.Or,
    ast.UnaryOp,
    ast.Not,
    ast.USub,
    ast.UAdd,
    ast.BinOp,
    ast.Add,
    ast.Sub,
    ast.Mult,
    ast.Div,
    ast.Pow,
    ast.Compare,
    ast.Eq,
    ast.NotEq,
    ast.Lt,
    ast.LtE,
    ast.Gt,
    ast.GtE,
    ast.Call,
    ast.Name,
    ast.Load,
    ast.Constant,
    ast.Subscript,
)


def _check_tree(source: str, tree: ast.AST) -> None:
    for node in ast.walk(tree):
        if not isinstance(node, _ALLOWED_NODES):
            raise ConditionError(f"cannot translate {source!r} safely: {type(node).__name__} is not supported")
        if isinstance(node, ast.Compare) and len(node.ops) > 1:
            raise ConditionError(f"cannot translate {source!r} safely: chained comparison (expr does not chain)")
        if isinstance(node, ast.Subscript) and isinstance(node.slice, ast.Slice):
            raise ConditionError(f"cannot translate {source!r} safely: slices are not supported")
        if isinstance(node, ast.Call) and (not isinstance(node.func, ast.Name) or node.keywords):
            raise ConditionError(f"cannot translate {source!r} safely: only calls of {sorted(FUNCTIONS)}")


def _divide(left: Any, right: Any) -> float:
    """expr's `/` is float division (Go: x/0 is +-Inf, 0/0 NaN) where Python would raise."""
    numerator, denominator = _number(left, "/"), _number(right, "/")
    if denominator == 0:
        return math.nan if numerator == 0 or math.isnan(numerator) else math.copysign(math.inf, numerator)
    return numerator / denominator


def _strict_bool(value: Any) -> bool:
    if not isinstance(value, bool):
        raise EvaluationError(f"expected bool, but got {type(value).__name__} {value!r}")
    return value


def _ordered(compare: Callable[[Any, Any], bool]) -> Callable[[Any, Any], bool]:
    def checked(left: Any, right: Any) -> bool:
        for side in (left, right):
            if isinstance(side, bool) or not isinstance(side, int | float):
                raise EvaluationError(f"invalid operation: {left!r} and {right!r} are not both numbers")
        return compare(left, right)

    return checked


class _ExprEval(SimpleEval):
    """simpleeval with expr's strictness: `and`/`or`/`not` need bools, `<` and friends need numbers."""

    def __init__(self, result: Any) -> None:
        operators = {
            **DEFAULT_OPERATORS,
            ast.Not: lambda value: not _strict_bool(value),
            ast.Div: _divide,
            ast.Lt: _ordered(operator.lt),
            ast.LtE: _ordered(operator.le),
            ast.Gt: _ordered(operator.gt),
            ast.GtE: _ordered(operator.ge),
        }
        super().__init__(operators=operators, functions=_functions(result), names={"result": result})

    def _eval_boolop(self, node: ast.BoolOp) -> bool:
        stop_on = isinstance(node.op, ast.Or)  # `and` stops at the first False, `or` at the first True
        value = not stop_on
        for operand in node.values:
            value = _strict_bool(self._eval(operand))
            if value is stop_on:
                break
        return value


@dataclass(frozen=True)
class Condition:
    """A translated condition; ``evaluate(result)`` answers it for a measurement's ``result``."""

    source: str
    python: str
    _tree: ast.Expression = field(repr=False, compare=False)

    def evaluate(self, result: Any) -> bool:
        try:
            return _strict_bool(_ExprEval(result).eval(self.python, previously_parsed=self._tree.body))
        except EvaluationError:
            raise
        except (InvalidExpression, IndexError, TypeError, ValueError, ZeroDivisionError, OverflowError) as error:
            raise EvaluationError(f"{self.source!r}: {type(error).__name__}: {error}") from error


def compile_condition(source: str) -> Condition:
    """Translate an expr-lang condition, or raise ``ConditionError`` saying what cannot be translated."""
    if not source.strip():
        raise ConditionError("an empty condition")
    python = _Translator(source).translate()
    try:
        tree = ast.parse(python, mode="eval")
    except SyntaxError as error:
        raise ConditionError(f"cannot translate {source!r}: not a valid expression ({error.msg})") from None
    _check_tree(source, tree)
    return Condition(source, python, tree)
