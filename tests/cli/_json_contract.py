"""The JSON contract as a checker (README, "JSON output"), shared by the contract test and the
autouse fixture of tests/cli/conftest.py that checks every document a CLI test prints.

A plain module, loaded by path (tests are not importable under --import-mode=importlib)."""

from __future__ import annotations

import re
from typing import Any

SNAKE = re.compile(r"^[a-z][a-z0-9]*(_[a-z0-9]+)*$")
TX_HASH = re.compile(r"^0x[0-9a-f]{64}$")
DECIMAL = re.compile(r"^(0|[1-9][0-9]*)$")
SAFE = 2**53
TX_KEYS = ("tx_hash", "gas_used", "block_number")
#: Objects whose keys are data, not names of fields: `config show`'s settings are keyed by the
#: setting's name (`max_fee_wei` there names a setting, whose value is under `value`), `devnet
#: env`'s variables by the environment variable's name.
DATA_KEYED = (".settings", ".variables")


def violations(doc: Any, sends: bool = False) -> list[str]:
    """What in `doc` breaks the contract, one line each (empty: it keeps it)."""
    found: list[str] = []
    if isinstance(doc, dict) and "error" in doc:
        error = doc["error"]
        if set(doc) != {"error"} and "violations" not in doc:
            found.append(f"an error document has other keys: {sorted(doc)}")
        if not (isinstance(error, dict) and set(error) >= {"message", "exit_code", "kind"}
                and isinstance(error["message"], str) and isinstance(error["exit_code"], int)
                and isinstance(error["kind"], str)):
            found.append(f"error is not {{message, exit_code, kind}}: {error!r}")
        return found
    if sends:
        account = doc.get("account") if isinstance(doc, dict) else None
        if not (isinstance(account, str) and _eip55(account)):
            found.append(f"a command that sends names no EIP-55 `account`: {account!r}")
    _walk(doc, "$", found)
    return found


def _eip55(address: str) -> bool:
    from eth_utils import is_checksum_address

    return bool(is_checksum_address(address))


def _walk(value: Any, path: str, found: list[str]) -> None:
    if isinstance(value, bool) or value is None or isinstance(value, str | float):
        return
    if isinstance(value, int):
        if abs(value) > SAFE:
            found.append(f"{path}: integer {value} above 2**53 (JSON readers round it)")
        return
    if isinstance(value, list):
        for i, item in enumerate(value):
            _walk(item, f"{path}[{i}]", found)
        return
    assert isinstance(value, dict), (path, value)
    if any(k in value for k in TX_KEYS) and value.get("gas_used") is not None:
        missing = [k for k in TX_KEYS if k not in value]
        if missing:
            found.append(f"{path}: a transaction without {missing}")
        elif not (isinstance(value["tx_hash"], str) and TX_HASH.match(value["tx_hash"])
                  and isinstance(value["gas_used"], int)
                  and isinstance(value["block_number"], int)):
            found.append(f"{path}: transaction fields of the wrong type: "
                         f"{ {k: value[k] for k in TX_KEYS} }")
    data_keyed = path.endswith(DATA_KEYED)
    for key, item in value.items():
        where = f"{path}.{key}"
        if data_keyed:
            _walk(item, where, found)
            continue
        if not SNAKE.match(str(key)):
            found.append(f"{where}: key {key!r} is not snake_case")
        if key.endswith("_wei"):
            _check_wei(item, where, found)
            continue
        if key.endswith("_at") and not (
            item is None or (isinstance(item, int) and not isinstance(item, bool))
        ):
            found.append(f"{where}: {item!r} is not a whole number")
        if key.endswith("_seconds") and not (  # a measured time may have decimals
            item is None or (isinstance(item, int | float) and not isinstance(item, bool))
        ):
            found.append(f"{where}: {item!r} is not a number of seconds")
        if key.endswith("_cid") and not (item is None or isinstance(item, str)):
            found.append(f"{where}: a CID that is not a string: {item!r}")
        _walk(item, where, found)


def _check_wei(value: Any, where: str, found: list[str]) -> None:
    if value is None:
        return
    if isinstance(value, dict):  # per category
        for category, amount in value.items():
            _check_wei(amount, f"{where}.{category}", found)
        return
    if isinstance(value, list):
        for i, amount in enumerate(value):
            _check_wei(amount, f"{where}[{i}]", found)
        return
    if not (isinstance(value, str) and DECIMAL.match(value)):
        found.append(f"{where}: {value!r} is not a decimal string of wei")
