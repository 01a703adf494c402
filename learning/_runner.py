"""The isolated worker's entry point: run one provider's code on one job, inside the sandbox.

Started by saiaas.learning.worker as `python -I _runner.py SCRATCH`, after the parent set the
resource limits and (where the machine allows) moved it into a network namespace of its own.
It reads SCRATCH/job.json, imports the provider's file, calls `train` or `predict`, and writes
SCRATCH/result.json plus the model or the predictions. It imports only the standard library and
numpy, so its sha256 (in the attestation report) pins exactly what ran around the provider's code.

The audit hook below is a tripwire, not the wall: the network namespace is the wall. The hook
turns an attempt into a clear refusal and records it in a file descriptor opened before the
provider's code runs, so an attempt is reported even when that code swallows the exception.
Everything here shares a process with untrusted code, which could forge result.json: its
training metrics are the provider's claim; the client's own evaluation is the check.
"""

import json
import os
import sys
import time
import traceback

_NETWORK_EVENTS = frozenset({
    "socket.connect", "socket.bind", "socket.sendto", "socket.sendmsg", "socket.getaddrinfo",
    "socket.gethostbyname", "socket.gethostbyaddr", "socket.getnameinfo",
})


class NetworkRefusedInSandbox(PermissionError):
    """Raised into the provider's code when it tries to reach the network."""


def _install_network_tripwire(log_fd):
    def hook(event, args):
        if event in _NETWORK_EVENTS:
            target = args[1] if event.startswith("socket.") and len(args) > 1 else args
            os.write(log_fd, (json.dumps({"event": event, "target": repr(target)}) + "\n").encode())
            raise NetworkRefusedInSandbox(f"network access refused in the worker ({event})")

    sys.addaudithook(hook)


def _drop_privileges(uid, gid):
    os.setgroups([])
    os.setgid(gid)
    os.setuid(uid)


def _where(tb, code_path):
    """The deepest frame inside the provider's file: the line a person has to look at."""
    frames = traceback.extract_tb(tb)
    inside = [f for f in frames if os.path.abspath(f.filename) == code_path]
    frame = (inside or frames or [None])[-1]
    if frame is None:
        return None, None
    return os.path.basename(frame.filename), frame.lineno


def _load(code_path, name):
    import importlib.util

    spec = importlib.util.spec_from_file_location(name, code_path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _interface_error(message):
    raise TypeError(message)


def main(scratch):
    with open(os.path.join(scratch, "job.json"), encoding="utf-8") as handle:
        job = json.load(handle)
    log_fd = os.open(os.path.join(scratch, "network.log"), os.O_WRONLY | os.O_CREAT | os.O_APPEND)
    if job.get("drop_to") is not None and os.getuid() == 0:
        _drop_privileges(*job["drop_to"])
    os.chdir(scratch)
    import numpy as np  # before the tripwire: numpy's import does no networking, keep it cheap

    if job.get("network_tripwire", True):
        _install_network_tripwire(log_fd)
    code_path = os.path.abspath(os.path.join(scratch, job["code"]))
    started = time.perf_counter()
    result = {"ok": True}
    try:
        module = _load(code_path, os.path.splitext(job["code"])[0])
        predict = getattr(module, "predict", None)
        if not callable(predict):
            _interface_error(f"{job['code']} defines no function predict(model, X)")
        if job["mode"] == "train":
            train = getattr(module, "train", None)
            if not callable(train):
                _interface_error(f"{job['code']} defines no function train(X, y, params)")
            with np.load("data.npz", allow_pickle=False) as archive:
                X, y = archive["X"], archive["y"]
            model = train(X, y, dict(job.get("params") or {}))
            if not isinstance(model, (bytes, bytearray, memoryview)):
                _interface_error(f"train() returned {type(model).__name__}, not the model as bytes")
            model = bytes(model)
            trained = time.perf_counter()
            predicted = np.asarray(predict(model, X))
            if predicted.shape != y.shape:
                _interface_error(f"predict() returned shape {predicted.shape} for {len(y)} samples")
            with open("model.bin", "wb") as handle:
                handle.write(model)
            result["metrics"] = {
                "training_accuracy": float(np.mean(predicted == y)),
                "training_samples": int(len(y)),
                "features": int(X.shape[1]),
                "classes": int(len(np.unique(y))),
                "train_seconds": round(trained - started, 3),
                "model_bytes": len(model),
            }
        else:
            with open("model.bin", "rb") as handle:
                model = handle.read()
            X = np.load("inputs.npy", allow_pickle=False)
            predicted = np.asarray(predict(model, X))
            if predicted.shape[:1] != X.shape[:1] or predicted.dtype == object:
                _interface_error(f"predict() returned shape {predicted.shape} for {len(X)} inputs")
            np.save("predictions.npy", predicted, allow_pickle=False)
    except BaseException as error:  # the provider's failure, reported, not raised
        file, line = _where(error.__traceback__, code_path)
        kind = "crash"
        if isinstance(error, NetworkRefusedInSandbox):
            kind = "network"
        elif isinstance(error, MemoryError):
            kind = "memory"
        result = {"ok": False, "error": {
            "kind": kind, "type": type(error).__name__, "message": str(error)[:500],
            "file": file, "line": line,
        }}
    with open("result.json", "w", encoding="utf-8") as handle:
        json.dump(result, handle)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
