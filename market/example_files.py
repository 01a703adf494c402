"""The hospital case's files, so that five people can play its five parties by hand.

`saiaas demo` keeps every party's files in memory; someone trying the learning commands in five
terminals needs them on disk: the client's request, held-out images and image to label, and
each provider's catalog (naming the saiaas:contentCID of what it sells) with, for the data and
algorithm providers, that content itself. `saiaas example hospital DIR` writes them here.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from saiaas.ontologies.errors import UsageError

__all__ = ["write_hospital_example"]


def write_hospital_example(folder: Path) -> list[dict[str, Any]]:
    """The hospital case's files for five parties by hand: the client's request, held-out
    images and image to label; each provider's catalog (with the saiaas:contentCID of what it
    sells) and, for data and algorithm providers, the content itself. Existing files are never
    replaced. Returns one row per file: party, role, path, asset IRI (catalogs), CID (content)."""
    import io

    import numpy as np
    from saiaas.learning import pack_dataset
    from saiaas.market.hospital import (
        _offered_asset,
        hospital_assets,
        provider_catalog,
        provider_content,
    )
    from saiaas.market.scenario import PROVIDERS, REFUSALS, REQUEST_FILE
    from saiaas.ontologies import example_path
    from saiaas.storage import cid_of

    assets = hospital_assets()
    files: list[tuple[dict[str, Any], bytes]] = []
    request = example_path(REQUEST_FILE).read_bytes()
    files.append(({"party": "client", "role": "request", "file": REQUEST_FILE}, request))
    files.append(({"party": "client", "role": "held-out images (X, y)", "file": "held-out.npz"},
                  pack_dataset(assets.client.X, assets.client.y)))
    image = io.BytesIO()
    np.save(image, assets.client.x_new.reshape(8, 8), allow_pickle=False)
    files.append(({"party": "client", "role": "image to label", "file": "image-101.npy",
                   "label": assets.client.y_new}, image.getvalue()))
    for provider in (*PROVIDERS, *REFUSALS):
        party = provider.catalog.removesuffix(".ttl")
        eligible = provider in PROVIDERS
        content = provider_content(provider, assets) if eligible else None
        catalog = provider_catalog(provider, assets) if eligible else \
            example_path(provider.catalog).read_bytes()
        from rdflib import Graph

        graph = Graph().parse(data=catalog, format="turtle")
        files.append(({"party": party, "role": f"{provider.category} catalog",
                       "file": provider.catalog, "asset": _offered_asset(graph, party),
                       "prices_ether": list(provider.prices)}, catalog))
        if content is not None:
            suffix = ".npz" if provider.category == "data" else ".py"
            files.append(({"party": party, "role": f"{provider.category} content",
                           "file": party + suffix, "content_cid": cid_of(content)}, content))
    folder.mkdir(parents=True, exist_ok=True)
    taken = [row["file"] for row, _ in files if (folder / row["file"]).exists()]
    if taken:
        raise UsageError(f"{folder} already holds {', '.join(taken[:3])}"
                         f"{' ...' if len(taken) > 3 else ''}; choose an empty folder")
    rows = []
    for row, data in files:
        path = folder / row["file"]
        path.write_bytes(data)
        rows.append({**row, "file": str(path)})
    return rows
