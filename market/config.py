"""Where each setting comes from: given value, then the config file, then the embedded default.

The command line merges a flag with its environment variable before calling `resolve`; what
arrives here as None was given by neither, so the config file and the embedded defaults fill it.
The config file is TOML in the platformdirs config folder (or $SAIAAS_CONFIG) with the same keys
as `Settings`. `$SAIAAS_HOME` moves the data folder (chain, store, keystores, deployments) for
every caller alike.
"""

from __future__ import annotations

import os
import tomllib
from dataclasses import dataclass, fields, replace
from pathlib import Path
from typing import Any

from saiaas.ontologies.errors import InputError, UsageError

__all__ = [
    "Settings", "ConfigError", "config_path", "data_dir", "resolve", "rpc_timeouts", "ipfs_timeout"
]

_PATHS = ("keystore", "store", "password_file")


class ConfigError(InputError):
    """The config file exists but cannot be used."""


@dataclass(frozen=True)
class Settings:
    """Everything needed to reach the marketplace; None means the embedded default."""

    rpc_url: str | None = None  # None: the embedded chain kept in data_dir/chain.bin
    ipfs_api: str | None = None  # None: the embedded store under `store`
    factory: str | None = None  # None: the Factory recorded for this chain in deployments.json
    keystore: Path | None = None  # folder of encrypted JSON keystores
    account: str | None = None  # address or keystore name; None: the node's first account
    store: Path | None = None  # folder of the embedded content store
    password_file: Path | None = None  # keystore password (else $SAIAAS_PASSWORD, else a prompt)

    @property
    def embedded_chain(self) -> bool:
        return not self.rpc_url

    @property
    def keystore_dir(self) -> Path:
        return self.keystore or data_dir() / "keystore"

    @property
    def store_dir(self) -> Path:
        return self.store or data_dir() / "store"


def data_dir() -> Path:
    """The user's saiaas data folder ($SAIAAS_HOME overrides it, e.g. for tests and demos)."""
    if home := os.environ.get("SAIAAS_HOME"):
        return Path(home)
    from platformdirs import user_data_dir

    return Path(user_data_dir("saiaas"))


def config_path() -> Path:
    if path := os.environ.get("SAIAAS_CONFIG"):
        return Path(path)
    from platformdirs import user_config_dir

    return Path(user_config_dir("saiaas")) / "config.toml"


def _config_file() -> dict[str, Any]:
    path = config_path()
    if not path.exists():
        return {}
    try:
        values = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as error:
        raise ConfigError(f"{path}: not a readable TOML config file ({error})") from None
    known = {f.name for f in fields(Settings)}
    unknown = sorted(set(values) - known)
    if unknown:
        raise ConfigError(
            f"{path}: unknown setting {unknown[0]!r} (known: {', '.join(sorted(known))})"
        )
    for key, value in values.items():
        if not isinstance(value, str):
            raise ConfigError(
                f"{path}: setting {key!r} must be a string, not {type(value).__name__}"
            )
    return values


def resolve(**given: Any) -> Settings:
    """Settings from the given values, filling the Nones from the config file.

    An empty RPC URL is refused rather than read as "the embedded chain": it is what an unset
    variable in a script gives, and acting on another chain than the one meant is worse than
    stopping."""
    if given.get("rpc_url") == "":
        raise UsageError("--rpc-url is empty (an unset variable?); omit it for the embedded chain")
    settings = Settings(**{k: v for k, v in given.items() if v is not None and v != ""})
    from_file: dict[str, Any] = {
        k: (Path(v).expanduser() if k in _PATHS else v)
        for k, v in _config_file().items()
        if getattr(settings, k) is None
    }
    return replace(settings, **from_file)


def _seconds(variable: str, default: float) -> float:
    text = os.environ.get(variable)
    if text is None or text == "":
        return default
    try:
        value = float(text)
    except ValueError:
        raise UsageError(f"{variable}={text!r} is not a number of seconds") from None
    if not 0 < value <= 3600:
        raise UsageError(f"{variable}={text!r} must be between 0 and 3600 seconds")
    return value


def rpc_timeouts() -> tuple[float, float]:
    """(seconds one JSON-RPC request may take in all, seconds to wait for a receipt), from
    $SAIAAS_RPC_TIMEOUT (default 10) and $SAIAAS_RECEIPT_TIMEOUT (default 120)."""
    return _seconds("SAIAAS_RPC_TIMEOUT", 10.0), _seconds("SAIAAS_RECEIPT_TIMEOUT", 120.0)


def ipfs_timeout() -> float:
    """Seconds an IPFS node may take to find a CID ($SAIAAS_IPFS_TIMEOUT, default 10); its whole
    answer must arrive within 5 s more."""
    return _seconds("SAIAAS_IPFS_TIMEOUT", 10.0)
