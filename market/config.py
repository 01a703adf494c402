"""Where each setting comes from: given value, then the network profile, then the config file,
then the embedded default.

The command line merges a flag with its environment variable before calling `resolve`; what
arrives here as None was given by neither, so the selected network profile, the config file's
top-level keys and the embedded defaults fill it. The config file is TOML in the platformdirs
config folder (or $SAIAAS_CONFIG): top-level keys are those of the connection options
(`rpc_url`, `ipfs_api`, `factory`, `keystore`, `account`, `store`, `password_file`), plus
`network = "NAME"` (the profile used when neither --network nor $SAIAAS_NETWORK names one), and
named network profiles in `[networks.NAME]` tables, as ape's network config does:

    [networks.sepolia]
    rpc_url = "$SEPOLIA_RPC_URL"   # $VAR / ${VAR} are read from the environment (unset: refused)
    chain_id = 11155111            # checked against the node and the recorded Factory deployment
    factory = "0x..."
    account = "alice"
    max_fee = "30gwei"             # EIP-1559 fee cap of every transaction (type 2)
    max_priority_fee = "1gwei"     # its tip
    confirmations = 2              # blocks mined on top before a transaction is reported
    dev = false                    # whether it is a dev chain (default: chain id 31337 or 1337)

`$SAIAAS_HOME` moves the data folder (chain, store, keystores, deployments) for every caller
alike.
"""

from __future__ import annotations

import os
import re
import tomllib
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

from saiaas.ontologies.errors import InputError, UsageError

__all__ = [
    "Settings",
    "ConfigError",
    "config_path",
    "data_dir",
    "resolve",
    "rpc_timeouts",
    "ipfs_timeout",
    "network_profiles",
    "DEV_CHAIN_IDS",
    "CONNECTION_KEYS",
]

_PATHS = ("keystore", "store", "password_file")
#: The connection settings a flag, a variable, a profile or the config file's top level may give.
CONNECTION_KEYS = ("rpc_url", "ipfs_api", "factory", "keystore", "account", "store",
                   "password_file")
#: What a network profile may hold besides the connection settings, with the type it must have.
_PROFILE_EXTRAS: dict[str, type] = {
    "chain_id": int, "max_fee": str, "max_priority_fee": str, "confirmations": int, "dev": bool,
}
#: Chain ids of local development chains (anvil/hardhat 31337, ganache/geth --dev 1337): there
#: the node's first account may act when none is named.
DEV_CHAIN_IDS = frozenset({31337, 1337})
#: The most confirmations a profile may ask for (a day of 12 s blocks).
MAX_CONFIRMATIONS = 7200
_VARIABLE = re.compile(r"\$(?:\{([A-Za-z_][A-Za-z0-9_]*)\}|([A-Za-z_][A-Za-z0-9_]*))")
_FEE = re.compile(r"^\s*([0-9]+(?:\.[0-9]*)?|\.[0-9]+)\s*(wei|gwei|ether)\s*$", re.IGNORECASE)
_WEI_PER = {"wei": 1, "gwei": 10**9, "ether": 10**18}


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
    network: str | None = None  # the network profile these settings came from, if any
    chain_id: int | None = None  # the chain id the node must answer (None: not checked)
    max_fee: int | None = None  # EIP-1559 maxFeePerGas in wei (None: the node's suggestion)
    max_priority_fee: int | None = None  # EIP-1559 maxPriorityFeePerGas in wei
    confirmations: int = 0  # blocks mined on top of a transaction's before it is reported
    dev: bool | None = None  # a dev chain? None: the embedded chain, or chain id 31337/1337
    #: Where each non-default value came from: flag, env, profile NAME, config, default.
    sources: dict[str, str] = field(default_factory=dict, compare=False, hash=False, repr=False)

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
    """The config file's content, its shape checked (values are expanded when used)."""
    path = config_path()
    if not path.exists():
        return {}
    try:
        values = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as error:
        raise ConfigError(f"{path}: not a readable TOML config file ({error})") from None
    known = {*CONNECTION_KEYS, "network", "networks"}
    unknown = sorted(set(values) - known)
    if unknown:
        raise ConfigError(
            f"{path}: unknown setting {unknown[0]!r} (known: {', '.join(sorted(known))})"
        )
    for key, value in values.items():
        if key == "networks":
            _check_profiles(path, value)
        elif not isinstance(value, str):
            raise ConfigError(
                f"{path}: setting {key!r} must be a string, not {type(value).__name__}"
            )
    return values


def _check_profiles(path: Path, profiles: Any) -> None:
    if not isinstance(profiles, dict):
        raise ConfigError(f"{path}: 'networks' must be tables, e.g. [networks.sepolia]")
    known = {*CONNECTION_KEYS, *_PROFILE_EXTRAS}
    for name, profile in profiles.items():
        where = f"{path}: [networks.{name}]"
        if not isinstance(profile, dict):
            raise ConfigError(f"{where} must be a table of settings")
        for key, value in profile.items():
            wanted = _PROFILE_EXTRAS.get(key, str)
            if key not in known:
                raise ConfigError(
                    f"{where}: unknown setting {key!r} (known: {', '.join(sorted(known))})"
                )
            if not isinstance(value, wanted) or (wanted is int and isinstance(value, bool)):
                raise ConfigError(
                    f"{where}: {key!r} must be {'a' if wanted is not int else 'an'} "
                    f"{wanted.__name__}, not {type(value).__name__} ({value!r})"
                )


def network_profiles() -> dict[str, dict[str, Any]]:
    """The network profiles the config file defines, by name, as written (not expanded)."""
    return dict(_config_file().get("networks", {}))


def _expand(value: str, where: str) -> str:
    """$VAR and ${VAR} read from the environment; an unset one is refused by name (an empty
    URL would silently mean another chain than the one meant)."""

    def variable(found: re.Match[str]) -> str:
        name = found.group(1) or found.group(2)
        text = os.environ.get(name)
        if not text:
            raise UsageError(
                f"{where} refers to ${name}, which is {'empty' if text == '' else 'not set'}: "
                f"export {name}=... (or change {config_path()})"
            )
        return text

    return _VARIABLE.sub(variable, value)


def parse_fee(text: str, where: str) -> int:
    """Wei from a fee setting with its unit ('30gwei', '0.5gwei', '1000000wei')."""
    found = _FEE.match(text)
    if not found:
        raise ConfigError(f"{where} = {text!r} is not an amount with a unit (e.g. 30gwei)")
    try:
        wei = Decimal(found.group(1)) * _WEI_PER[found.group(2).lower()]
    except InvalidOperation:
        raise ConfigError(f"{where} = {text!r} is not a number") from None
    if wei != wei.to_integral_value() or wei >= 2**256:
        raise ConfigError(f"{where} = {text!r} is not a whole number of wei")
    return int(wei)


def resolve(
    *, origins: dict[str, str] | None = None, profiles: bool = True, **given: Any
) -> Settings:
    """Settings from the given values, filling the Nones from the network profile (the given
    `network`, else the config file's `network`), then the config file's top level.

    `origins` says where each given value came from (the command line: flag or env). An empty RPC
    URL is refused rather than read as "the embedded chain": it is what an unset variable in a
    script gives, and acting on another chain than the one meant is worse than stopping.
    `profiles=False` ignores the config file's default `network` (`saiaas devnet`: its own node
    is no profile's)."""
    origins = origins or {}
    if given.get("rpc_url") == "":
        raise UsageError("--rpc-url is empty (an unset variable?); omit it for the embedded chain")
    if given.get("network") == "":
        raise UsageError("--network is empty (an unset variable?); omit it for no profile")
    chosen = {k: v for k, v in given.items() if v is not None and v != ""}
    sources = {k: origins.get(k, "given") for k in chosen}
    config = _config_file()
    path = config_path()
    network = chosen.pop("network", None)
    if network is None and "network" in config and profiles:
        network, sources["network"] = config["network"], "config"
    values: dict[str, Any] = dict(chosen)
    if network is not None:
        table = config.get("networks", {})
        if network not in table:
            defined = ", ".join(sorted(table)) or "none"
            raise UsageError(
                f"no network profile {network!r} in {path} (defined: {defined}); add a "
                f"[networks.{network}] table (see `saiaas config show`)"
            )
        values["network"] = network
        for key, value in table[network].items():
            if key in values:
                continue
            where = f"{path}: [networks.{network}] {key}"
            if key in ("max_fee", "max_priority_fee"):
                value = parse_fee(_expand(value, where), where)
            elif key == "confirmations" and not 0 <= value <= MAX_CONFIRMATIONS:
                raise ConfigError(f"{where} = {value} must be between 0 and {MAX_CONFIRMATIONS}")
            elif isinstance(value, str):
                value = _expand(value, where)
                if value == "":
                    raise ConfigError(f"{where} is empty")
            values[key], sources[key] = value, f"profile {network}"
    for key in CONNECTION_KEYS:
        if key not in values and key in config:
            values[key] = _expand(config[key], f"{path}: {key}")
            sources[key] = "config"
    for key in _PATHS:
        if isinstance(values.get(key), str):
            values[key] = Path(values[key]).expanduser()
    fee, tip = values.get("max_fee"), values.get("max_priority_fee")
    if fee is not None and tip is not None and tip > fee:
        raise ConfigError(
            f"{path}: [networks.{network}] max_priority_fee ({tip} wei) is above max_fee "
            f"({fee} wei): the tip is part of the fee cap"
        )
    return Settings(**values, sources=sources)


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
