"""What every check needs about one file: its text, its graph, the vocabulary, and how to name
nodes and find their lines in the violations it reports."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from saiaas.shapes._report import VIOLATION, Violation
from saiaas.shapes._source import Source, subject_line
from saiaas.shapes._vocabulary import Vocabulary

if TYPE_CHECKING:
    from rdflib import Graph
    from rdflib.term import Node

__all__ = ["Context", "MAX_VIOLATIONS"]

#: Violations reported in full per file; beyond them only a count is kept (naming a node and
#: finding its line is most of a violation's cost, and nobody reads the 8,000th one).
MAX_VIOLATIONS = 500


@dataclass
class Context:
    source: Source
    graph: Graph
    vocab: Vocabulary
    violations: list[Violation] = field(default_factory=list)
    #: Violations and warnings found past MAX_VIOLATIONS: counted, not described.
    omitted_errors: int = 0
    omitted_warnings: int = 0

    def name(self, node: Node | None) -> str | None:
        """How a person reads a node: prefixed name, quoted literal, or described blank node."""
        from rdflib import BNode, Literal, URIRef

        if node is None:
            return None
        if isinstance(node, URIRef):
            return self.source.qname(str(node))
        if isinstance(node, Literal):
            text = f'"{node}"'
            if node.datatype is not None:
                text += f"^^{self.source.qname(str(node.datatype))}"
            elif node.language:
                text += f"@{node.language}"
            return text
        if isinstance(node, BNode):
            return self._describe_blank(node)
        return str(node)

    def _describe_blank(self, node: Node) -> str:
        from rdflib import RDF, URIRef
        from saiaas.ontologies import SAIAAS

        kind = next((t for t in self.graph.objects(node, RDF.type) if isinstance(t, URIRef)), None)
        on = self.graph.value(node, URIRef(SAIAAS + "onProperty"))
        inner = " ".join(
            x
            for x in (self.name(kind) if kind else None, f"on {self.name(on)}" if on else None)
            if x
        )
        parent = next(((s, p) for s, p in self.graph.subject_predicates(node) if s != node), None)
        here = f"[{inner}]" if inner else "[blank node]"
        if parent is None:
            return here
        return f"{self.name(parent[0])} {self.name(parent[1])} {here}"

    def line(
        self, subject: Node | None, prop: Node | None = None, value: Node | None = None
    ) -> int | None:
        """Best line for a problem about `subject`'s `prop` (see Violation.line for the method)."""
        from rdflib import BNode, URIRef
        from saiaas.ontologies import SAIAAS

        if subject is None:
            return None
        base = subject_line(self.source, self.graph, subject)
        if base is None:
            return None
        if isinstance(subject, BNode):
            on = self.graph.value(subject, URIRef(SAIAAS + "onProperty"))
            if isinstance(on, URIRef):
                base = self.source.line_of(str(on), start=base) or base
        end = self._block_end(base)
        for term in (value, prop):
            if isinstance(term, URIRef):
                found = self.source.line_of(str(term), start=base)
                if found is not None and found < end:
                    return found
        return base

    def _block_end(self, base: int) -> int:
        """First line after `base` that starts a new statement at column 0 (or the end)."""
        lines = self.source.lines
        for number in range(base + 1, len(lines) + 1):
            line = lines[number - 1]
            if line[:1] and not line[:1].isspace() and not line.startswith("#"):
                return number
        return len(lines) + 1

    def add(
        self,
        subject: Node | None,
        message: str,
        prop: Node | None = None,
        expected: str | None = None,
        found: str | None = None,
        value: Node | None = None,
        severity: str = VIOLATION,
        suggestion: str | None = None,
    ) -> None:
        if len(self.violations) >= MAX_VIOLATIONS:
            if severity == VIOLATION:
                self.omitted_errors += 1
            else:
                self.omitted_warnings += 1
            return
        self.violations.append(
            Violation(
                file=self.source.name,
                line=self.line(subject, prop, value),
                subject=self.name(subject),
                property=self.name(prop),
                expected=expected,
                found=found,
                message=message,
                severity=severity,
                suggestion=suggestion,
            )
        )
