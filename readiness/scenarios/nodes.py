"""Typed reading of a composed YAML node tree, recording every problem with its line.

Reading nodes rather than the output of `yaml.safe_load` keeps each value's line number, and
lets a text field take a scalar exactly as written: YAML 1.1 reads `NO`, `on` or `yes` as
booleans and `2025-09-04` as a date, so `country: NO` would otherwise arrive as False.
Numbers, booleans and dates, on the other hand, must have been written as such: a quoted
"4" is not a severity, and `yes` is not a count.

Readers never raise on bad input: they record a Problem and return a harmless fallback. What
no reader could survive (nesting thousands deep, an alias bomb) is refused before reading:
``BoundedLoader`` and ``expansion_problem``.
Callers compare `Reader.mark()` before and after reading a section and drop the section
(and skip cross-checks that would only repeat the problem) when anything was recorded.
"""

from __future__ import annotations

import difflib
import enum
import math
import re
from collections.abc import Collection
from datetime import date, datetime, time, tzinfo
from typing import TypeVar

import yaml
from yaml.composer import ComposerError
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from readiness.posts.limits import date_out_of_range

from .specs import Problem

EnumT = TypeVar("EnumT", bound=enum.Enum)

_TAG = "tag:yaml.org,2002:"
NULL_TAG = _TAG + "null"
BOOL_TAG = _TAG + "bool"
INT_TAG = _TAG + "int"
FLOAT_TAG = _TAG + "float"
STR_TAG = _TAG + "str"
TIMESTAMP_TAG = _TAG + "timestamp"
MERGE_TAG = _TAG + "merge"

_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
DATE_HINT = "a date (2025-09-04) or a date-time (2025-09-04T08:00)"

# What a file may be, before anything is read (issue 9). A real scenario is a few levels deep
# and holds about a thousand values (the largest shipped, 1,046). Past these a file is an
# accident or an attack: 5,000 levels exhaust Python's stack, and anchors and aliases
# (merge keys `<<: [*a, *a]` above all) make a 1 kB file read as ten million values.
MAX_DEPTH = 40
MAX_VALUES = 50_000
# A number written with more characters than this is no count, rate or threshold: refused
# before Python converts it (int() refuses 4,300 digits; a float overflows from 1e309).
MAX_NUMBER_LENGTH = 20


class BoundedLoader(yaml.SafeLoader):
    """PyYAML's safe loader composing at most MAX_DEPTH levels: its composer recurses once
    per level, and a file nested thousands deep would end in a RecursionError without a
    line. Past the limit, a ComposerError with the line where it happens."""

    def __init__(self, stream: str) -> None:
        super().__init__(stream)
        self._depth = 0

    def compose_node(self, parent: Node | None, index: int) -> Node | None:
        self._depth += 1
        try:
            if self._depth > MAX_DEPTH:
                raise ComposerError(
                    None,
                    None,
                    f"nested more than {MAX_DEPTH} levels deep",
                    self.peek_event().start_mark,  # type: ignore[no-untyped-call]
                )
            return super().compose_node(parent, index)
        finally:
            self._depth -= 1


def _children(node: Node) -> list[Node]:
    if isinstance(node, SequenceNode):
        return list(node.value)
    if isinstance(node, MappingNode):
        return [part for pair in node.value for part in pair]
    return []


def expansion_problem(root: Node) -> Problem | None:
    """A problem if the tree, aliases followed (merge keys included), holds more than
    MAX_VALUES values or runs deeper than MAX_DEPTH, or an anchor contains itself; else
    None. Each distinct node is visited once (sizes are added up, not walked), so a bomb
    is measured as fast as an honest file, and without recursion."""
    measured: dict[int, tuple[int, int]] = {}  # id -> (values, depth) below and with it
    open_nodes: set[int] = set()  # the path being walked: meeting one again is a cycle
    stack: list[tuple[Node, bool]] = [(root, False)]
    while stack:
        node, children_done = stack.pop()
        key = id(node)
        if children_done:
            children = [measured[id(part)] for part in _children(node)]
            values = 1 + sum(size for size, _depth in children)
            depth = 1 + max((depth for _size, depth in children), default=0)
            measured[key] = (values, depth)
            open_nodes.discard(key)
            if values > MAX_VALUES:
                return Problem(
                    line_of(node),
                    "",
                    f"with its anchors and aliases this expands to more than {MAX_VALUES:,} "
                    "values: write the values out, or use fewer aliases",
                )
            if depth > MAX_DEPTH:
                return Problem(
                    line_of(node), "", f"through aliases, nested more than {MAX_DEPTH} levels deep"
                )
            continue
        if key in measured:
            continue
        if key in open_nodes:
            return Problem(line_of(node), "", "an anchor contains an alias of itself")
        open_nodes.add(key)
        stack.append((node, True))
        stack.extend((part, False) for part in _children(node) if id(part) not in measured)
    return None


def line_of(node: Node) -> int:
    return int(node.start_mark.line) + 1


def child(path: str, key: str) -> str:
    return f"{path}.{key}" if path else key


def item(path: str, index: int) -> str:
    return f"{path}[{index}]"


def describe(node: Node) -> str:
    """How a wrong value is quoted back in a message."""
    if isinstance(node, MappingNode):
        return "a mapping"
    if isinstance(node, SequenceNode):
        return "a list"
    if node.tag == NULL_TAG:
        return "nothing"
    if node.tag == BOOL_TAG:
        return f"{node.value} (read as yes/no)"
    if node.tag == STR_TAG:
        return repr(node.value)
    return str(node.value)


def localise(value: date, zone: tzinfo) -> datetime:
    """A date becomes local midnight; a naive date-time is local time; an aware one is kept."""
    if isinstance(value, datetime):
        # Naive times in a DST gap or fold resolve with fold=0 (zoneinfo's default).
        return value if value.tzinfo is not None else value.replace(tzinfo=zone)
    return datetime.combine(value, time(), tzinfo=zone)


def _range_message(
    value: float, minimum: float | None, maximum: float | None, above: float | None
) -> str | None:
    if above is not None and not value > above:
        return f"must be above {above:g}, got {value:g}"
    if minimum is not None and maximum is not None and not minimum <= value <= maximum:
        return f"must be {minimum:g} to {maximum:g}, got {value:g}"
    if minimum is not None and value < minimum:
        return f"must be {minimum:g} or more, got {value:g}"
    if maximum is not None and value > maximum:
        return f"must be at most {maximum:g}, got {value:g}"
    return None


class Reader:
    """Reads values off nodes; collects problems instead of raising."""

    def __init__(self) -> None:
        self.problems: list[Problem] = []
        # Only its scalar constructors are used (ints in any YAML notation, timestamps).
        self._loader = yaml.SafeLoader("")

    def add(self, node: Node | None, path: str, message: str, *, line: int | None = None) -> None:
        """Record a problem at `line`, or else at the node's first line."""
        if line is None and node is not None:
            line = line_of(node)
        self.problems.append(Problem(line, path, message))

    def mark(self) -> int:
        return len(self.problems)

    def clean_since(self, mark: int) -> bool:
        return len(self.problems) == mark

    # -- containers -------------------------------------------------------------------

    def mapping(
        self,
        node: Node,
        path: str,
        *,
        required: Collection[str] = (),
        optional: Collection[str] = (),
        line: int | None = None,
    ) -> Fields | None:
        """Check a mapping's keys (unknown, duplicate, missing) and wrap it for reading.

        `line` is where the mapping is reported as a whole: the line of the key that holds
        it, rather than its first key's line.
        """
        if not isinstance(node, MappingNode):
            self.add(node, path, f"must be a mapping, got {describe(node)}", line=line)
            return None
        pairs = self._pairs(node, path, frozenset())
        allowed = [*required, *optional]
        for key, (key_node, _value) in pairs.items():
            if key not in allowed:
                close = difflib.get_close_matches(key, allowed, n=1)
                hint = f"did you mean {close[0]!r}?" if close else f"expected {', '.join(allowed)}"
                self.add(key_node, child(path, key), f"unknown key; {hint}")
        line = line or line_of(node)
        for key in required:
            if key not in pairs:
                self.add(node, child(path, key), "required, missing", line=line)
        pairs = {key: pair for key, pair in pairs.items() if key in allowed}
        return Fields(self, path, pairs, frozenset(required), line)

    def _pairs(
        self, node: MappingNode, path: str, seen: frozenset[int]
    ) -> dict[str, tuple[Node, Node]]:
        """Key -> (key node, value node), resolving `<<` merge keys (own keys win)."""
        own: dict[str, tuple[Node, Node]] = {}
        merged: dict[str, tuple[Node, Node]] = {}
        seen = seen | {id(node)}  # an anchor merged into itself would recurse forever
        for key_node, value_node in node.value:
            if key_node.tag == MERGE_TAG:
                sources = value_node.value if isinstance(value_node, SequenceNode) else [value_node]
                for source in sources:
                    if not isinstance(source, MappingNode) or id(source) in seen:
                        self.add(source, path, "`<<` must merge a mapping (or a list of them)")
                        continue
                    for key, pair in self._pairs(source, path, seen).items():
                        merged.setdefault(key, pair)
                continue
            if not isinstance(key_node, ScalarNode) or key_node.tag == NULL_TAG:
                self.add(key_node, path, f"keys must be words, got {describe(key_node)}")
                continue
            key = str(key_node.value)
            if key in own:
                first = line_of(own[key][0])
                self.add(key_node, child(path, key), f"duplicate key (first given on line {first})")
                continue
            own[key] = (key_node, value_node)
        return {**merged, **own}

    def sequence(self, node: Node, path: str, *, line: int | None = None) -> list[tuple[str, Node]]:
        """The items of a list with their paths; [] (and a problem) if it is not a list."""
        if not isinstance(node, SequenceNode):
            self.add(node, path, f"must be a list, got {describe(node)}", line=line)
            return []
        return [(item(path, index), value) for index, value in enumerate(node.value)]

    # -- scalars ----------------------------------------------------------------------

    def text(self, node: Node, path: str, *, nonempty: bool, max_length: int | None) -> str:
        if not isinstance(node, ScalarNode) or node.tag == NULL_TAG:
            self.add(node, path, f"must be text, got {describe(node)}")
            return ""
        if not node.tag.startswith(_TAG):
            self.add(node, path, f"unsupported tag {node.tag}")
            return ""
        value = str(node.value).strip()
        if nonempty and not value:
            self.add(node, path, "must not be empty")
        elif max_length is not None and len(value) > max_length:
            self.add(node, path, f"must be at most {max_length} characters, got {len(value)}")
        return value

    def _too_long(self, node: ScalarNode, path: str) -> bool:
        """Record a number written with more than MAX_NUMBER_LENGTH characters."""
        written = str(node.value).strip()
        if len(written) <= MAX_NUMBER_LENGTH:
            return False
        self.add(
            node,
            path,
            f"a number of {len(written)} characters is out of range "
            f"(at most {MAX_NUMBER_LENGTH}): check the figure",
        )
        return True

    def integer(
        self,
        node: Node,
        path: str,
        *,
        minimum: int | None = None,
        maximum: int | None = None,
    ) -> int:
        if not isinstance(node, ScalarNode) or node.tag != INT_TAG:
            self.add(node, path, f"must be a whole number, got {describe(node)}")
            return minimum or 0
        if self._too_long(node, path):
            return minimum or 0
        value = int(self._loader.construct_yaml_int(node))
        message = _range_message(value, minimum, maximum, None)
        if message:
            self.add(node, path, message)
        return value

    def number(
        self,
        node: Node,
        path: str,
        *,
        minimum: float | None = None,
        maximum: float | None = None,
        above: float | None = None,
    ) -> float:
        if not isinstance(node, ScalarNode) or node.tag not in (INT_TAG, FLOAT_TAG):
            self.add(node, path, f"must be a number, got {describe(node)}")
            return minimum or 0.0
        if self._too_long(node, path):
            return minimum or 0.0
        if node.tag == INT_TAG:
            value = float(self._loader.construct_yaml_int(node))
        else:
            value = float(self._loader.construct_yaml_float(node))
        if not math.isfinite(value):
            self.add(node, path, f"must be a finite number, got {node.value}")
            return minimum or 0.0
        message = _range_message(value, minimum, maximum, above)
        if message:
            self.add(node, path, message)
        return value

    def boolean(self, node: Node, path: str) -> bool:
        if not isinstance(node, ScalarNode) or node.tag != BOOL_TAG:
            self.add(node, path, f"must be true or false, got {describe(node)}")
            return False
        return bool(self._loader.construct_yaml_bool(node))

    def choice(self, node: Node, path: str, kind: type[EnumT]) -> EnumT:
        allowed = [str(member.value) for member in kind]
        if isinstance(node, ScalarNode) and node.tag != NULL_TAG:
            written = str(node.value).strip()
            for member in kind:
                if written == str(member.value):
                    return member
        self.add(node, path, f"must be one of {', '.join(allowed)}, got {describe(node)}")
        return next(iter(kind))

    def moment(self, node: Node, path: str, zone: tzinfo) -> tuple[datetime, bool] | None:
        """(aware datetime, whether a plain date was written), or None after a problem."""
        value: date | None = None
        if isinstance(node, ScalarNode) and node.tag in (TIMESTAMP_TAG, STR_TAG):
            try:
                if node.tag == TIMESTAMP_TAG:
                    value = self._loader.construct_yaml_timestamp(node)
                elif _ISO_DATE.fullmatch(node.value.strip()):
                    value = date.fromisoformat(node.value.strip())
                else:
                    value = datetime.fromisoformat(node.value.strip())
            except ValueError as exc:
                self.add(node, path, f"not a valid date or date-time: {node.value!r} ({exc})")
                return None
        if value is None:
            self.add(node, path, f"must be {DATE_HINT}, got {describe(node)}")
            return None
        moment = localise(value, zone)
        problem = date_out_of_range(moment)
        if problem:
            self.add(node, path, f"{problem}: dates run from 1900 to 2100")
            return None
        return moment, not isinstance(value, datetime)


class Fields:
    """A checked mapping: read each key with the right type, the path and line attached.

    An optional key that is absent or written with no value (null) gives the default.
    """

    def __init__(
        self,
        reader: Reader,
        path: str,
        pairs: dict[str, tuple[Node, Node]],
        required: frozenset[str],
        line: int,
    ) -> None:
        self.reader = reader
        self.path = path
        self.line = line  # where the mapping as a whole is reported
        self._pairs = pairs
        self._required = required

    def path_of(self, key: str) -> str:
        return child(self.path, key)

    def get(self, key: str) -> Node | None:
        """The value node, or None when absent (or null for an optional key)."""
        if key not in self._pairs:
            return None
        node = self._pairs[key][1]
        if key not in self._required and isinstance(node, ScalarNode) and node.tag == NULL_TAG:
            return None
        return node

    def has(self, key: str) -> bool:
        return self.get(key) is not None

    def written(self, key: str) -> bool:
        """Whether the key appears at all, even with no value."""
        return key in self._pairs

    def key_line(self, key: str) -> int:
        """The line of a key (the mapping's line when the key is absent)."""
        return line_of(self._pairs[key][0]) if key in self._pairs else self.line

    def problem(self, key: str | None, message: str) -> None:
        """Record a problem on a key (or on the mapping as a whole)."""
        if key is None:
            self.reader.add(None, self.path, message, line=self.line)
        else:
            self.reader.add(None, self.path_of(key), message, line=self.key_line(key))

    def text(self, key: str, *, default: str = "", max_length: int | None = None) -> str:
        node = self.get(key)
        if node is None:
            return default
        nonempty = key in self._required
        return self.reader.text(node, self.path_of(key), nonempty=nonempty, max_length=max_length)

    def maybe_text(self, key: str, *, max_length: int | None = None) -> str | None:
        node = self.get(key)
        if node is None:
            return None
        return self.reader.text(node, self.path_of(key), nonempty=True, max_length=max_length)

    def texts(self, key: str, *, max_length: int | None = None) -> tuple[str, ...]:
        return tuple(
            self.reader.text(node, path, nonempty=True, max_length=max_length)
            for path, node in self.items(key)
        )

    def integer(
        self,
        key: str,
        *,
        default: int = 0,
        minimum: int | None = None,
        maximum: int | None = None,
    ) -> int:
        node = self.get(key)
        if node is None:
            return default
        return self.reader.integer(node, self.path_of(key), minimum=minimum, maximum=maximum)

    def maybe_integer(
        self, key: str, *, minimum: int | None = None, maximum: int | None = None
    ) -> int | None:
        if self.get(key) is None:
            return None
        return self.integer(key, minimum=minimum, maximum=maximum)

    def number(
        self,
        key: str,
        *,
        default: float = 0.0,
        minimum: float | None = None,
        maximum: float | None = None,
        above: float | None = None,
    ) -> float:
        node = self.get(key)
        if node is None:
            return default
        return self.reader.number(
            node, self.path_of(key), minimum=minimum, maximum=maximum, above=above
        )

    def maybe_number(
        self,
        key: str,
        *,
        minimum: float | None = None,
        maximum: float | None = None,
        above: float | None = None,
    ) -> float | None:
        if self.get(key) is None:
            return None
        return self.number(key, minimum=minimum, maximum=maximum, above=above)

    def boolean(self, key: str, *, default: bool = False) -> bool:
        node = self.get(key)
        if node is None:
            return default
        return self.reader.boolean(node, self.path_of(key))

    def choice(self, key: str, kind: type[EnumT]) -> EnumT:
        node = self.get(key)
        if node is None:
            return next(iter(kind))
        return self.reader.choice(node, self.path_of(key), kind)

    def maybe_choice(self, key: str, kind: type[EnumT]) -> EnumT | None:
        node = self.get(key)
        if node is None:
            return None
        return self.reader.choice(node, self.path_of(key), kind)

    def moment(self, key: str, zone: tzinfo) -> tuple[datetime, bool] | None:
        node = self.get(key)
        if node is None:
            return None
        return self.reader.moment(node, self.path_of(key), zone)

    def items(self, key: str) -> list[tuple[str, Node]]:
        node = self.get(key)
        if node is None:
            return []
        return self.reader.sequence(node, self.path_of(key), line=self.key_line(key))

    def mapping(
        self,
        key: str,
        *,
        required: Collection[str] = (),
        optional: Collection[str] = (),
    ) -> Fields | None:
        node = self.get(key)
        if node is None:
            return None
        return self.reader.mapping(
            node,
            self.path_of(key),
            required=required,
            optional=optional,
            line=self.key_line(key),
        )
