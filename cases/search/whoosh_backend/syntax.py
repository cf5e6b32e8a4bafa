"""The query language's own rules, as plugins of Whoosh's parser, and what it says when a
query breaks them: the fields a person may name, minus signs inside parentheses, operators
with a word on each side."""

from __future__ import annotations

from whoosh.qparser import FieldsPlugin, PlusMinusPlugin, QueryParser, syntax

from cases.search.base import FACETS, QUERY_FIELDS, QueryError

OPERATORS = frozenset({"AND", "OR", "NOT", "ANDNOT", "ANDMAYBE"})


def unknown_field_message(name: str) -> str:
    """What to do instead of ``name:``, a field the letters are not searched by."""
    facet = FACETS.get(name.lower())
    if facet is not None:
        return (f"“{name}” is a filter, not a part of the letter to search: remove "
                f"“{name}:” from the box and choose a value under “{facet}” beside the "
                "results.")
    fields = ", ".join(f"{field}:" for field in QUERY_FIELDS[:-1])
    return (f"There is no field “{name}” to search in; the fields are {fields} and "
            f"{QUERY_FIELDS[-1]}: (or type the words alone to search the whole letter).")


def lone_operator_message(operator: str) -> str:
    """What an operator without a word on one side needs."""
    if operator == "NOT":
        return ("“NOT” excludes the word after it from what the words before it find (for "
                "example: massage NOT chiropractic); type both, or leave it out.")
    return (f"“{operator}” joins two words or phrases, one on each side (for example: massage "
            f"{operator} acupuncture); type the words it joins, or leave it out.")


def lone_operator(words: list[str]) -> str | None:
    """An operator with no word on one of its sides ("OR", "massage OR"), if any."""
    if words[-1] in OPERATORS:
        return words[-1]
    if words[0] in OPERATORS - {"NOT"}:  # "NOT massage" only excludes: refused elsewhere
        return words[0]
    return None


class NestedPlusMinus(PlusMinusPlugin):
    """``+`` and ``-`` inside parentheses as well as outside.

    Whoosh sorts only the outermost group into required and banned words; a ``-word`` left
    inside parentheses ("pain (-massage)") made the parser fail. Inside a group a minus
    becomes NOT, which means the same there, and a plus is dropped (words are required).
    """

    def do_plusminus(self, parser: QueryParser, group: syntax.GroupNode) -> syntax.GroupNode:
        for i, node in enumerate(group):
            if isinstance(node, syntax.GroupNode):
                group[i] = self._inner(node)
        return super().do_plusminus(parser, group)

    def _inner(self, group: syntax.GroupNode) -> syntax.GroupNode:
        nodes: list[syntax.SyntaxNode] = []
        negate = False
        for node in group:
            if isinstance(node, syntax.GroupNode):
                node = self._inner(node)
            if isinstance(node, self.Minus):
                negate = True
            elif not isinstance(node, self.Plus):
                nodes.append(syntax.NotGroup([node]) if negate else node)
                negate = False
        group.nodes = nodes
        return group


class UserFields(FieldsPlugin):
    """Only the fields a person searches by (``QUERY_FIELDS``), their names in any case.

    Whoosh reads an unknown field's name as a word ("decision:overturned" looked for the
    words decision and overturned, and found nothing) and takes the index's inner fields
    ("id:", "f_outcome:") at their word: both are refused, saying which fields there are.
    A number before a colon ("10:30") stays text.
    """

    def do_fieldnames(self, parser: QueryParser, group: syntax.GroupNode) -> syntax.GroupNode:
        for node in group:
            if isinstance(node, syntax.FieldnameNode) and not node.fieldname.isdigit():
                if node.fieldname.lower() not in QUERY_FIELDS:
                    raise QueryError(unknown_field_message(node.fieldname))
                node.fieldname = node.fieldname.lower()
        return super().do_fieldnames(parser, group)
