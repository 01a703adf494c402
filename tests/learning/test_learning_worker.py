"""Phase 2: the isolated worker trains good code and refuses bad code with a readable reason."""

from __future__ import annotations

import errno
import os
import shutil
import socket
import textwrap
import threading
import time

import pytest
from saiaas.learning import (
    Limits,
    NetworkRefused,
    TrainingCrashed,
    TrainingResourceLimit,
    TrainingTimeout,
    example_algorithm,
    network_isolation,
    predict_isolated,
    train_isolated,
)
from saiaas.ontologies.errors import SaiaasError

HAS_NAMESPACE = network_isolation()[1].startswith("namespace")

#: Short limits so a runaway worker costs seconds, not minutes.
FAST = Limits(wall_seconds=20, cpu_seconds=20, memory_mib=2048)

#: A valid predict() that every snippet below shares.
PREDICT = """
def predict(model, X):
    import numpy as np
    return np.full(len(X), int(model.decode()))
"""


def provider_code(train_body: str) -> bytes:
    """A provider file whose train() runs `train_body` and returns the majority label."""
    source = "import numpy as np\n\n\ndef train(X, y, params):\n"
    source += textwrap.indent(textwrap.dedent(train_body).strip() or "pass", "    ") + "\n"
    source += "    return str(int(np.bincount(y).argmax())).encode()\n" + PREDICT
    return source.encode()


def test_example_classifier_trains_in_the_worker_and_reports_how(small_data, digits):
    result = train_isolated(example_algorithm(), small_data, {"epochs": 100},
                            code_name="digits_classifier.py", limits=FAST)
    assert result.metrics["training_samples"] == 200
    assert result.metrics["training_accuracy"] > 0.9
    assert len(result.code_sha256) == 64 and len(result.runner_sha256) == 64
    assert result.isolation.limits["cpu_seconds"] == FAST.cpu_seconds
    X, y = digits
    predicted = predict_isolated(example_algorithm(), result.model, X[1000:1050], limits=FAST)
    assert predicted.shape == (50,)
    assert (predicted == y[1000:1050]).mean() > 0.5  # chance is 0.1


@pytest.mark.skipif(os.geteuid() != 0 or shutil.which("unshare") is None,
                    reason="a network namespace needs root and unshare")
def test_as_root_with_unshare_the_worker_runs_in_a_network_namespace(small_data):
    code = b"def train(X, y, params):\n    return b'3'\n" + PREDICT.encode()
    result = train_isolated(code, small_data, limits=FAST)
    assert result.isolation.network.startswith("namespace: unshare -n ")
    assert result.model == b"3"


def test_crashing_code_is_reported_with_exception_file_and_line(small_data):
    code = provider_code("""
        total = len(y)
        return total / 0
    """)
    with pytest.raises(TrainingCrashed) as caught:
        train_isolated(code, small_data, code_name="algo.py", limits=FAST)
    assert str(caught.value).startswith("training code raised ZeroDivisionError at algo.py:6")
    assert isinstance(caught.value, SaiaasError)


def test_code_without_train_or_returning_non_bytes_breaks_the_interface(small_data):
    with pytest.raises(TrainingCrashed, match="defines no function train"):
        train_isolated(PREDICT.encode(), small_data, limits=FAST)
    code = b"def train(X, y, params):\n    return 42\n" + PREDICT.encode()
    with pytest.raises(TrainingCrashed, match="returned int, not the model as bytes"):
        train_isolated(code, small_data, limits=FAST)


def test_code_that_loops_forever_is_killed_at_the_wall_time_limit(small_data):
    code = provider_code("""
        import time
        while True:
            time.sleep(0.05)
    """)
    with pytest.raises(TrainingTimeout, match=r"training exceeded 2 s wall time"):
        train_isolated(code, small_data, limits=Limits(wall_seconds=2, cpu_seconds=30))


def test_code_that_burns_cpu_is_stopped_by_the_cpu_limit(small_data):
    code = provider_code("""
        while True:
            pass
    """)
    with pytest.raises(TrainingTimeout, match="CPU time limit of 1 s"):
        train_isolated(code, small_data, limits=Limits(wall_seconds=30, cpu_seconds=1))


def test_code_that_allocates_too_much_hits_the_memory_limit(small_data):
    code = provider_code("""
        hog = np.ones((1024, 1024, 1024), dtype=np.uint8)
    """)
    with pytest.raises(TrainingResourceLimit, match="memory limit"):
        train_isolated(code, small_data, limits=Limits(wall_seconds=30, memory_mib=512))


@pytest.fixture
def listener():
    """A TCP server on 127.0.0.1 that counts the connections it accepts; closed at teardown."""
    server = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    server.bind(("127.0.0.1", 0))
    server.listen()
    server.settimeout(0.2)
    accepted: list[object] = []
    stop = threading.Event()

    def serve() -> None:
        while not stop.is_set():
            try:
                conn, _ = server.accept()
            except OSError:
                continue
            accepted.append(conn)
            conn.close()

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    yield server.getsockname()[1], accepted
    stop.set()
    thread.join(timeout=2)
    server.close()


def test_code_that_opens_a_connection_is_refused(small_data, listener):
    port, accepted = listener
    code = provider_code(f"""
        import socket
        socket.create_connection(("127.0.0.1", {port}), timeout=2)
    """)
    with pytest.raises(NetworkRefused, match="training code tried to open a network connection: "
                                             "refused"):
        train_isolated(code, small_data, limits=FAST)
    assert accepted == []


def test_a_swallowed_network_attempt_is_still_refused(small_data):
    code = provider_code("""
        import urllib.request
        try:
            urllib.request.urlopen("http://example.org/exfiltrate", timeout=2)
        except Exception:
            pass
    """)
    with pytest.raises(NetworkRefused, match="tried to open a network connection"):
        train_isolated(code, small_data, limits=FAST)


@pytest.mark.skipif(not HAS_NAMESPACE, reason="no network namespace on this machine")
def test_the_namespace_alone_blocks_loopback_without_the_tripwire(small_data, listener):
    port, accepted = listener
    code = (f"""
import errno, socket
def train(X, y, params):
    try:
        socket.create_connection(("127.0.0.1", {port}), timeout=2)
        return b"connected"
    except OSError as error:
        return str(error.errno).encode()
""" + PREDICT.replace("int(model.decode())", "0")).encode()
    result = train_isolated(code, small_data,
                            limits=Limits(wall_seconds=20, network_tripwire=False))
    assert result.model == str(errno.ENETUNREACH).encode()
    assert accepted == []


def test_scratch_folder_is_wiped_after_success_and_after_failure(small_data, tmp_path):
    record = tmp_path / "where.txt"
    os.chmod(tmp_path, 0o777)
    ok = provider_code(f"""
        import os
        open({str(record)!r}, "a").write(os.getcwd() + "\\n")
    """)
    train_isolated(ok, small_data, limits=FAST)
    bad = provider_code(f"""
        import os
        open({str(record)!r}, "a").write(os.getcwd() + "\\n")
        raise RuntimeError("boom")
    """)
    with pytest.raises(TrainingCrashed, match="RuntimeError at algo.py:7: boom"):
        train_isolated(bad, small_data, limits=FAST)
    folders = record.read_text().split()
    assert len(folders) == 2 and all("saiaas-worker-" in f for f in folders)
    assert not any(os.path.exists(f) for f in folders)


def test_prediction_code_runs_behind_the_same_walls(small_data):
    code = b"def train(X, y, params):\n    return b'm'\n\ndef predict(model, X):\n" \
           b"    import socket\n    socket.getaddrinfo('example.org', 80)\n"
    with pytest.raises(NetworkRefused, match="prediction code tried to open a network connection"):
        predict_isolated(code, b"m", [[1.0, 2.0]], limits=FAST)


def test_processes_the_code_started_are_killed_with_it(small_data, tmp_path):
    record = tmp_path / "child.pid"
    os.chmod(tmp_path, 0o777)
    code = provider_code(f"""
        import subprocess, time
        child = subprocess.Popen(["sleep", "60"])
        open({str(record)!r}, "w").write(str(child.pid))
        while True:
            time.sleep(0.05)
    """)
    with pytest.raises(TrainingTimeout):
        train_isolated(code, small_data, limits=Limits(wall_seconds=3, cpu_seconds=30))
    pid = int(record.read_text())
    with pytest.raises(ProcessLookupError):
        for _ in range(50):  # the killed child may linger a moment before init reaps it
            os.kill(pid, 0)
            time.sleep(0.1)
