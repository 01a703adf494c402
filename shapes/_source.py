"""Turning the bytes of a file into an RDF graph, or into a violation that says why not.

Also finds the line where a term is written: rdflib keeps no positions, so lines come from
scanning the text for the term's prefixed names and full IRI.
"""

from __future__ import annotations

import bisect
import functools
import logging
import re
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from saiaas.shapes._report import Violation

if TYPE_CHECKING:
    from rdflib import Graph
    from rdflib.term import Node

__all__ = ["MAX_FILE_BYTES", "Source", "load", "parse", "too_big", "subject_line"]

#: Files above this size are refused before they are read. A requirement file is a few KB; a
#: catalog costs ~260 bytes and ~7 ms of validation per asset on a 2-core machine (rdflib parsing
#: and pyshacl are both linear), so 1 MB (~4,000 assets) bounds a validation to about 30 s and a
#: few hundred MB of memory. Bigger asset bases belong in several catalogs.
MAX_FILE_BYTES = 1024 * 1024

_PREFIX = re.compile(r"(?im)^\s*(?:@prefix|prefix)\s+([A-Za-z][\w.-]*)?:\s*<([^>]*)>")
_SYNTAX_LINE = re.compile(r"at line (\d+)")
_SYNTAX_WHY = re.compile(r"Bad syntax \((.*?)\) at \^", re.S)


@dataclass
class Source:
    """The decoded text of one file, with what is needed to point at its lines."""

    name: str
    text: str
    lines: list[str] = field(init=False)
    prefixes: dict[str, str] = field(init=False)

    def __post_init__(self) -> None:
        self.lines = self.text.splitlines()
        self.prefixes = {(m.group(1) or ""): m.group(2) for m in _PREFIX.finditer(self.text)}

    def names_of(self, iri: str) -> list[str]:
        """The ways `iri` can be written in this file: prefixed names, then the full IRI."""
        names = []
        for prefix, namespace in self.prefixes.items():
            if namespace and iri.startswith(namespace) and len(iri) > len(namespace):
                names.append(f"{prefix}:{iri[len(namespace) :]}")
        names.append(f"<{iri}>")
        return names

    def qname(self, iri: str) -> str:
        """The shortest prefixed name of `iri` in this file, else a saiaas-style default."""
        names = [n for n in self.names_of(iri) if not n.startswith("<")]
        if names:
            return min(names, key=len)
        for prefix, namespace in _DEFAULT_PREFIXES.items():
            if iri.startswith(namespace) and len(iri) > len(namespace):
                return f"{prefix}:{iri[len(namespace) :]}"
        return f"<{iri}>"

    def line_of(self, iri: str, start: int = 1, prefer_subject: bool = False) -> int | None:
        """1-based line where `iri` is first written at or after line `start`.

        The comment-stripped text is searched once per name with `str.find` (C speed), and only
        the lines where the name occurs are checked with the word-boundary pattern: a catalog
        with thousands of violations costs thousands of searches, never thousands of scans of
        every line in Python (which took minutes on a 250 KB file)."""
        first: int | None = None
        text, starts = self._stripped
        begin = starts[max(start, 1) - 1] if max(start, 1) - 1 < len(starts) else len(text)
        best: int | None = None
        for name in self.names_of(iri):
            pattern = _name_pattern(name)
            at = text.find(name, begin)
            while at != -1:
                number = bisect.bisect_right(starts, at)
                if best is not None and number >= best:
                    break
                line = text[starts[number - 1] : starts[number] - 1 if number < len(starts)
                            else len(text)]
                match = pattern.search(line)
                if match is not None:
                    if not prefer_subject or not line[: match.start()].strip():
                        best = number
                        break
                    if first is None or number < first:
                        first = number
                at = text.find(name, starts[number] if number < len(starts) else len(text))
        return best if best is not None else first

    @functools.cached_property
    def _stripped(self) -> tuple[str, list[int]]:
        """The text with comments stripped, one line per line, and where each line starts."""
        lines = [_strip_comment(line) for line in self.lines]
        starts, at = [], 0
        for line in lines:
            starts.append(at)
            at += len(line) + 1
        return "\n".join(lines), starts


@functools.lru_cache(maxsize=4096)
def _name_pattern(name: str) -> re.Pattern[str]:
    return re.compile(r"(?<![\w:<.-])" + re.escape(name) + r"(?![\w-])")


_DEFAULT_PREFIXES = {
    "saiaas": "https://w3id.org/saiaas#",
    "xsd": "http://www.w3.org/2001/XMLSchema#",
    "rdfs": "http://www.w3.org/2000/01/rdf-schema#",
    "rdf": "http://www.w3.org/1999/02/22-rdf-syntax-ns#",
    "owl": "http://www.w3.org/2002/07/owl#",
}


def _strip_comment(line: str) -> str:
    """Drop a trailing # comment unless the # is inside an IRI or a string (roughly)."""
    in_iri = in_str = False
    for i, ch in enumerate(line):
        if ch == "<" and not in_str:
            in_iri = True
        elif ch == ">" and not in_str:
            in_iri = False
        elif ch == '"' and not in_iri:
            in_str = not in_str
        elif ch == "#" and not in_iri and not in_str:
            return line[:i]
    return line


def too_big(name: str, size: int) -> Violation:
    return Violation(
        file=name,
        message=f"file is {size / 1048576:.1f} MB; "
        f"files above {MAX_FILE_BYTES // 1048576} MB are refused",
        expected=f"at most {MAX_FILE_BYTES} bytes",
        found=f"{size} bytes",
    )


def load(data: bytes, name: str) -> tuple[Source | None, Violation | None]:
    """Decode a file's bytes as Turtle text, refusing what cannot be Turtle before parsing."""
    if len(data) > MAX_FILE_BYTES:
        return None, too_big(name, len(data))
    if not data.strip():
        return None, Violation(
            file=name,
            message="file is empty; expected a Turtle requirement file or catalog",
            expected="Turtle text",
            found="empty file",
        )
    if b"\x00" in data[:8192]:
        return None, Violation(
            file=name,
            message="file is binary (it contains NUL bytes); expected Turtle text",
            expected="Turtle text (UTF-8)",
            found="binary data",
        )
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line = data[: error.start].count(b"\n") + 1
        return None, Violation(
            file=name,
            line=line,
            message=f"file is not UTF-8 text (byte {error.start}); Turtle files are UTF-8",
            expected="UTF-8 text",
            found=f"byte 0x{data[error.start]:02x}",
        )
    return Source(name=name, text=text), None


def parse(source: Source) -> tuple[Graph | None, Violation | None]:
    """Parse Turtle; a syntax error becomes a violation with its line and the offending text."""
    from rdflib import Graph

    graph = Graph()
    term_log = logging.getLogger("rdflib.term")  # it logs a traceback per ill-typed literal;
    level = term_log.level  # the shapes report those literals as violations instead
    term_log.setLevel(logging.CRITICAL)
    try:
        graph.parse(data=source.text, format="turtle")
    except Exception as error:  # rdflib raises BadSyntax and assorted others for broken input
        text = str(error)
        match = _SYNTAX_LINE.search(text)
        line = int(match.group(1)) if match else None
        why = _SYNTAX_WHY.search(text)
        reason = why.group(1) if why else (text.splitlines()[0] if text else type(error).__name__)
        found = source.lines[line - 1].strip() if line and 0 < line <= len(source.lines) else None
        if reason.startswith("Prefix ") and "not bound" in reason:
            message = f"{reason}: declare it with @prefix before using it"
        else:
            message = f"not valid Turtle: {reason}"
        return None, Violation(
            file=source.name, line=line, message=message, expected="Turtle syntax", found=found
        )
    finally:
        term_log.setLevel(level)
    if len(graph) == 0:
        return None, Violation(
            file=source.name,
            message="file holds no triples (only prefixes or comments); "
            "expected a request or a catalog",
            expected="a saiaas:Request or assets",
            found="no triples",
        )
    return graph, None


def subject_line(source: Source, graph: Graph, node: Node) -> int | None:
    """Line of a subject: where it is written as a subject, else where a parent refers to it."""
    from rdflib import BNode

    if not isinstance(node, BNode):
        return source.line_of(str(node), prefer_subject=True)
    for parent, prop in graph.subject_predicates(node):
        if parent == node:
            continue
        base = subject_line(source, graph, parent)
        if base is not None:
            return source.line_of(str(prop), start=base) or base
    return None
