"""The on-disk cache of classifications: one JSON file per ontology version, keyed by the sha256
of the ontology's bytes (and the model layout version). A file is used only if its recorded key
matches; anything unreadable or mismatched is rebuilt, and writes are atomic (temp + rename), so
a wrong or half-written cache is never used."""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
import time
from pathlib import Path
from typing import Any

from saiaas.matcher._classify import MODEL_VERSION, classify


def default_cache_dir() -> Path:
    import platformdirs

    return Path(platformdirs.user_cache_dir("saiaas")) / "matcher"


def ontology_key(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def load_or_classify(
    data: bytes, graph_factory: Any, cache_dir: Path | None, cid: str | None = None
) -> tuple[dict[str, Any], float, bool]:
    """The model for these ontology bytes: (model, classification seconds, came from cache)."""
    key = ontology_key(data)
    folder = Path(cache_dir) if cache_dir is not None else default_cache_dir()
    path = folder / f"model-v{MODEL_VERSION}-{key}.json"
    try:
        stored = json.loads(path.read_text(encoding="utf-8"))
        if (
            stored.get("key") == key
            and stored.get("version") == MODEL_VERSION
            and stored["model"].get("version") == MODEL_VERSION
        ):
            return stored["model"], 0.0, True
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        pass  # missing or corrupted: classify again
    started = time.perf_counter()
    model = classify(graph_factory())
    seconds = time.perf_counter() - started
    record = {
        "key": key,
        "version": MODEL_VERSION,
        "cid": cid,
        "classification_seconds": round(seconds, 3),
        "model": model,
    }
    try:
        folder.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=path.name, suffix=".tmp", dir=folder)
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            json.dump(record, handle)
        os.replace(tmp, path)
    except OSError:
        pass  # a read-only cache dir costs a classification per process, never a wrong answer
    return model, seconds, False
