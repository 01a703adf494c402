"""`saiaas bench ...`: each benchmark lives in saiaas.benchmarks.<name> and exposes
`run(**options) -> dict` (the figures) and `render(result, console)` (a rich table), so the
same numbers serve the `--json` output, the README and the closing notes."""

from __future__ import annotations
