"""Phase 2: run the algorithm provider's code on the data in an isolated worker process.

The provider's code is untrusted: it runs in a child process (`python -I` on a small runner that
imports nothing of saiaas), in a fresh scratch folder that is wiped afterwards (also on failure),
with CPU-time, address-space and file-size limits (setrlimit in preexec_fn), a wall-clock limit
enforced by killing its whole process group, a minimal environment, as user `nobody` when we are
root, and without network where the machine allows it: `unshare -n` gives the child a network
namespace of its own whose only interface (loopback) is down. Where no namespace can be made the
worker says so in `Isolation.network` and relies on the runner's audit-hook tripwire, which a
determined program can get around (ctypes): that is reported, not hidden.

The provider's file must define:
    train(X: np.ndarray, y: np.ndarray, params: dict) -> bytes    # the serialized model
    predict(model: bytes, X: np.ndarray) -> np.ndarray            # one label per row of X
and may import numpy and whatever the infrastructure's Python has installed.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import shutil
import signal
import stat
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from saiaas.learning.errors import (
    NetworkRefused,
    TrainingCrashed,
    TrainingError,
    TrainingResourceLimit,
    TrainingTimeout,
)

if TYPE_CHECKING:
    import numpy as np

__all__ = [
    "Limits",
    "Isolation",
    "TrainingResult",
    "train_isolated",
    "predict_isolated",
    "network_isolation",
    "runner_sha256",
]

_RUNNER = Path(__file__).with_name("_runner.py")
_MIB = 1024 * 1024


@dataclass(frozen=True)
class Limits:
    """What one worker run may use. The defaults fit the hospital case with a wide margin; the
    tests use seconds. `network_tripwire=False` only exists to test the namespace by itself."""

    wall_seconds: float = 300.0
    cpu_seconds: int = 300
    memory_mib: int = 4096
    output_mib: int = 256
    network_tripwire: bool = True


@dataclass(frozen=True)
class Isolation:
    """How isolated the run really was, in words that go into the attestation report."""

    network: str
    user: str
    scratch: str = "fresh temporary folder, wiped afterwards"
    limits: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class TrainingResult:
    model: bytes
    metrics: dict[str, Any]
    isolation: Isolation
    code_sha256: str
    runner_sha256: str
    started_at: str
    finished_at: str
    wall_seconds: float


def runner_sha256() -> str:
    """sha256 of the runner that wraps the provider's code (it goes into the attestation)."""
    return hashlib.sha256(_RUNNER.read_bytes()).hexdigest()


@lru_cache(maxsize=1)
def network_isolation() -> tuple[tuple[str, ...], str]:
    """The command prefix that gives the worker no network, and a description of it; an empty
    prefix and the reason when this machine cannot make a network namespace."""
    unshare = shutil.which("unshare")
    if unshare is None:
        return (), "none: the unshare command is not installed (audit-hook tripwire only)"
    tried = []
    for prefix in ((unshare, "-n"), (unshare, "-rn")):
        try:
            probe = subprocess.run(
                [*prefix, "true"], capture_output=True, text=True, timeout=10, check=False
            )
        except (OSError, subprocess.TimeoutExpired) as error:
            tried.append(f"{' '.join(prefix[1:])}: {error}")
            continue
        if probe.returncode == 0:
            flag = " ".join(prefix[1:])
            return prefix, f"namespace: unshare {flag} (own network namespace, loopback down)"
        tried.append(f"unshare {' '.join(prefix[1:])}: {probe.stderr.strip() or probe.returncode}")
    return (), "none: cannot make a network namespace here (" + "; ".join(tried) + \
        "); audit-hook tripwire only"


def _world_traversable(path: Path) -> bool:
    for part in [path, *path.parents]:
        with contextlib.suppress(OSError):
            if not part.stat().st_mode & stat.S_IXOTH:
                return False
    return True


@lru_cache(maxsize=1)
def _unprivileged_user() -> tuple[tuple[int, int] | None, str]:
    """(uid, gid) of `nobody` when we are root and nobody can run our Python, else None + why."""
    if os.geteuid() != 0:
        return None, f"same as the caller (uid {os.geteuid()}, not root)"
    import pwd

    try:
        nobody = pwd.getpwnam("nobody")
    except KeyError:
        return None, "root: no user 'nobody' on this machine to drop to"
    import numpy

    needed = (Path(os.path.realpath(sys.executable)), Path(numpy.__file__).parent, Path(sys.prefix))
    if not all(_world_traversable(p) for p in needed):
        return None, "root: the Python install is not readable by 'nobody', so no drop"
    return (nobody.pw_uid, nobody.pw_gid), f"nobody (uid {nobody.pw_uid})"


def _set_limits(limits: Limits) -> None:  # runs in the child between fork and exec
    import resource

    cpu = int(limits.cpu_seconds)
    resource.setrlimit(resource.RLIMIT_CPU, (cpu, cpu + 1))
    memory = int(limits.memory_mib) * _MIB
    resource.setrlimit(resource.RLIMIT_AS, (memory, memory))
    output = int(limits.output_mib) * _MIB
    resource.setrlimit(resource.RLIMIT_FSIZE, (output, output))
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))


def _kill_group(pgid: int) -> None:
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(pgid, signal.SIGKILL)


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


class _Worker:
    """One run of the runner: scratch folder in, result out, scratch folder gone."""

    def __init__(self, limits: Limits, code_name: str, what: str) -> None:
        self.limits = limits
        self.code_name = code_name
        self.what = what  # "training" or "prediction", for messages
        self.scratch = Path(tempfile.mkdtemp(prefix="saiaas-worker-"))

    def __enter__(self) -> _Worker:
        return self

    def __exit__(self, *exc: object) -> None:
        shutil.rmtree(self.scratch, ignore_errors=True)

    def run(self, job: dict[str, Any], files: dict[str, bytes]) -> tuple[dict[str, Any], Isolation]:
        limits = self.limits
        prefix, network = network_isolation()
        drop, user = _unprivileged_user()
        if drop is not None and prefix and "-rn" in prefix:
            drop, user = None, "root inside a user namespace (no drop possible)"
        job = {**job, "code": self.code_name, "network_tripwire": limits.network_tripwire,
               "drop_to": list(drop) if drop else None}
        files = {**files, "job.json": json.dumps(job).encode(), "_runner.py": _RUNNER.read_bytes()}
        for name, data in files.items():
            (self.scratch / name).write_bytes(data)
        if drop is not None:
            for path in [self.scratch, *self.scratch.iterdir()]:
                os.chown(path, *drop)
        isolation = Isolation(network=network, user=user, limits={
            "wall_seconds": limits.wall_seconds, "cpu_seconds": limits.cpu_seconds,
            "memory_mib": limits.memory_mib, "output_mib": limits.output_mib})
        env = {"PATH": "/usr/bin:/bin", "HOME": str(self.scratch), "TMPDIR": str(self.scratch),
               "LANG": "C.UTF-8", "OMP_NUM_THREADS": "1", "OPENBLAS_NUM_THREADS": "1",
               "MKL_NUM_THREADS": "1"}
        command = [*prefix, sys.executable, "-I", str(self.scratch / "_runner.py"),
                   str(self.scratch)]
        log_path = self.scratch / "output.log"
        self._cpu_before = _children_cpu()
        with open(log_path, "wb") as log:
            process = subprocess.Popen(  # noqa: S603 - the command is ours, the code is data
                command, cwd=self.scratch, env=env, stdin=subprocess.DEVNULL, stdout=log,
                stderr=subprocess.STDOUT, start_new_session=True,
                preexec_fn=lambda: _set_limits(limits),  # noqa: PLW1509
            )
            try:
                returncode = process.wait(timeout=limits.wall_seconds)
            except subprocess.TimeoutExpired:
                _kill_group(process.pid)
                process.wait()
                raise TrainingTimeout(
                    f"{self.what} exceeded {limits.wall_seconds:g} s wall time "
                    f"({self.code_name}); the worker was killed"
                ) from None
            finally:
                _kill_group(process.pid)  # children it left behind in its group
        return self._interpret(returncode, log_path), isolation

    def _tail(self, path: Path) -> str:
        with contextlib.suppress(OSError):
            text = path.read_bytes()[-400:].decode("utf-8", "replace").strip()
            return text.splitlines()[-1] if text else ""
        return ""

    def _interpret(self, returncode: int, log_path: Path) -> dict[str, Any]:
        limits, what, code = self.limits, self.what, self.code_name
        attempts = []
        with contextlib.suppress(OSError):
            attempts = (self.scratch / "network.log").read_text().splitlines()
        if attempts:
            first = json.loads(attempts[0])
            raise NetworkRefused(
                f"{what} code tried to open a network connection: refused "
                f"({first['event']} {first['target']}, {len(attempts)} attempt(s) in {code})"
            )
        if returncode < 0:
            sig = -returncode
            if sig == signal.SIGXCPU or sig == signal.SIGKILL and self._cpu_spent():
                raise TrainingTimeout(
                    f"{what} exceeded its CPU time limit of {limits.cpu_seconds} s ({code})"
                )
            if sig == signal.SIGXFSZ:
                raise TrainingResourceLimit(
                    f"{what} code wrote more than its {limits.output_mib} MiB file limit ({code})"
                )
            name = signal.Signals(sig).name
            raise TrainingCrashed(
                f"{what} process died with {name} ({code}); the memory limit is "
                f"{limits.memory_mib} MiB. Last output: {self._tail(log_path) or '(none)'}"
            )
        try:
            result = json.loads((self.scratch / "result.json").read_text(encoding="utf-8"))
        except (OSError, ValueError):
            raise TrainingCrashed(
                f"{what} process exited with status {returncode} without a result ({code}); "
                f"last output: {self._tail(log_path) or '(none)'}"
            ) from None
        if result.get("ok") and returncode == 0:
            return result
        error = result.get("error") or {}
        at = f" at {error.get('file')}:{error.get('line')}" if error.get("line") else f" in {code}"
        detail = f"{error.get('type', 'error')}{at}: {error.get('message', '')}".rstrip(": ")
        if error.get("kind") == "memory":
            raise TrainingResourceLimit(
                f"{what} code ran out of its {limits.memory_mib} MiB memory limit ({detail})"
            )
        if error.get("kind") == "network":
            raise NetworkRefused(f"{what} code tried to open a network connection: refused"
                                 f" ({detail})")
        raise TrainingCrashed(f"{what} code raised {detail}")

    def _cpu_spent(self) -> bool:
        return _children_cpu() - self._cpu_before >= self.limits.cpu_seconds


def _children_cpu() -> float:
    """CPU seconds used so far by our waited-for children (the run's share is the difference)."""
    import resource

    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def _code_bytes(code: bytes | str | Path) -> bytes:
    if isinstance(code, bytes):
        return code
    if isinstance(code, Path):
        return code.read_bytes()
    return code.encode("utf-8")


def train_isolated(
    code: bytes | str | Path,
    data: bytes,
    params: dict[str, Any] | None = None,
    *,
    code_name: str = "algo.py",
    limits: Limits | None = None,
) -> TrainingResult:
    """Train the provider's `code` on `data` (the .npz bytes of the data asset) in the worker.
    Raises a TrainingError subclass that says what went wrong and where; never returns half."""
    limits = limits or Limits()
    source = _code_bytes(code)
    started, clock = _now(), time.perf_counter()
    with _Worker(limits, _safe_name(code_name), "training") as worker:
        result, isolation = worker.run(
            {"mode": "train", "params": params or {}},
            {worker.code_name: source, "data.npz": bytes(data)},
        )
        model = (worker.scratch / "model.bin").read_bytes()
    return TrainingResult(
        model=model,
        metrics=dict(result.get("metrics") or {}),
        isolation=isolation,
        code_sha256=hashlib.sha256(source).hexdigest(),
        runner_sha256=runner_sha256(),
        started_at=started,
        finished_at=_now(),
        wall_seconds=round(time.perf_counter() - clock, 3),
    )


def predict_isolated(
    code: bytes | str | Path,
    model: bytes,
    X: np.ndarray,
    *,
    code_name: str = "algo.py",
    limits: Limits | None = None,
) -> np.ndarray:
    """The provider's `predict(model, X)` run in the same kind of worker as training: the client
    runs code it did not write, so it gets the same walls."""
    import io

    import numpy as np

    buffer = io.BytesIO()
    np.save(buffer, np.asarray(X), allow_pickle=False)
    with _Worker(limits or Limits(), _safe_name(code_name), "prediction") as worker:
        files = {worker.code_name: _code_bytes(code), "model.bin": bytes(model),
                 "inputs.npy": buffer.getvalue()}
        worker.run({"mode": "predict"}, files)
        try:
            return np.load(worker.scratch / "predictions.npy", allow_pickle=False)
        except (OSError, ValueError) as error:
            raise TrainingError(f"prediction code gave no readable predictions: {error}") from None


def _safe_name(name: str) -> str:
    """A plain module file name for the provider's code (it names errors: 'algo.py:12')."""
    base = Path(name).name
    stem = "".join(c if c.isalnum() or c == "_" else "_" for c in Path(base).stem) or "algo"
    if stem[0].isdigit() or stem in {"_runner", "job", "model", "data"}:
        stem = "algo_" + stem
    return stem + ".py"

