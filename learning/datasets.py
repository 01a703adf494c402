"""The data asset format: one .npz holding X (samples x features) and y (labels).

The bytes of the .npz are what the data provider's CID covers, so they are written reproducibly
(fixed member order and zip timestamps): the same arrays always give the same CID, and the
provider can commit the CID in its bid before it ever sends the data.
The hospital case uses scikit-learn's bundled digits (8x8 grayscale images, 10 classes) as a
stand-in for chest X-rays: real images that ship inside a package, so nothing is downloaded.
"""

from __future__ import annotations

import io
import zipfile
from typing import TYPE_CHECKING

from saiaas.learning.errors import DatasetFormatError

if TYPE_CHECKING:
    import numpy as np

__all__ = ["pack_dataset", "unpack_dataset", "load_digits_arrays"]

_EPOCH = (1980, 1, 1, 0, 0, 0)


def pack_dataset(X: np.ndarray, y: np.ndarray) -> bytes:
    """The reproducible .npz bytes of a labelled dataset (what a data provider sells)."""
    import numpy as np

    X, y = np.asarray(X), np.asarray(y)
    if X.ndim != 2 or y.ndim != 1 or len(X) != len(y):
        raise DatasetFormatError(
            f"a dataset is X (samples x features) and y (one label a sample); got X{X.shape}, "
            f"y{y.shape}"
        )
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_STORED) as archive:
        for name, array in (("X.npy", X), ("y.npy", y)):
            member = io.BytesIO()
            np.lib.format.write_array(member, np.ascontiguousarray(array), allow_pickle=False)
            archive.writestr(zipfile.ZipInfo(name, date_time=_EPOCH), member.getvalue())
    return buffer.getvalue()


def unpack_dataset(data: bytes, where: str = "dataset") -> tuple[np.ndarray, np.ndarray]:
    """X and y from .npz bytes; refuses pickled objects and anything but the agreed two arrays."""
    import numpy as np

    if not zipfile.is_zipfile(io.BytesIO(data)):
        # np.load would read a lone .npy as an array (not an archive) and call anything else
        # "pickled data": say what the file is instead.
        what = "a single NumPy array (.npy)" if data[:6] == b"\x93NUMPY" else "not a zip archive"
        raise DatasetFormatError(f"{where} is not an .npz with arrays X and y (it is {what})")
    try:
        with np.load(io.BytesIO(data), allow_pickle=False) as archive:
            X, y = archive["X"], archive["y"]
    except KeyError as error:
        raise DatasetFormatError(f"{where} has no array {error} (expected X and y)") from None
    except (ValueError, OSError, zipfile.BadZipFile) as error:
        raise DatasetFormatError(f"{where} is not an .npz with arrays X and y: {error}") from None
    if X.ndim != 2 or y.ndim != 1 or len(X) != len(y):
        raise DatasetFormatError(
            f"{where}: X must be samples x features and y one label a sample; got X{X.shape}, "
            f"y{y.shape}"
        )
    return X, y


def load_digits_arrays() -> tuple[np.ndarray, np.ndarray]:
    """scikit-learn's bundled digits (1,797 images of 64 pixels, labels 0-9), read from the
    package's own data file so the ~5 s import of sklearn.datasets is paid only as a fallback."""
    import gzip
    import importlib.util
    from pathlib import Path

    import numpy as np

    spec = importlib.util.find_spec("sklearn")
    if spec is None or spec.origin is None:
        raise DatasetFormatError(
            "scikit-learn is not installed: its bundled digits are the hospital case's images "
            "(pip install scikit-learn)"
        )
    path = Path(spec.origin).parent / "datasets" / "data" / "digits.csv.gz"
    if path.is_file():
        with gzip.open(path, "rt") as handle:
            table = np.loadtxt(handle, delimiter=",")
        return table[:, :-1], table[:, -1].astype(np.int64)
    from sklearn.datasets import load_digits  # the file moved in some release: ask sklearn

    digits = load_digits()
    return np.asarray(digits.data), np.asarray(digits.target, dtype=np.int64)
