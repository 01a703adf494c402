"""Where each setting comes from: flag, then environment, then config file, then the default.

Typer already merges a flag with its environment variable (`envvar=`); what arrives here as None
was given by neither, so the config file and the embedded defaults fill it. The config file is
TOML in the platformdirs config folder (or $SAIAAS_CONFIG) with the same keys as `Settings`.
"""

from __future__ import annotations

import os
import tomllib
from dataclasses import dataclass, fields, replace
from pathlib import Path
from typing import Annotated, Any

import typer
from saiaas.ontologies.errors import EXIT_INPUT, SaiaasError

__all__ = [
    "Settings",
    "ConfigError",
    "config_path",
    "data_dir",
    "resolve",
    "RpcUrlOption",
    "IpfsApiOption",
    "FactoryOption",
    "KeystoreOption",
    "AccountOption",
    "StoreOption",
    "PasswordFileOption",
    "JsonOption",
]


class ConfigError(SaiaasError):
    """The config file exists but cannot be used."""

    exit_code = EXIT_INPUT


@dataclass(frozen=True)
class Settings:
    """Everything a command needs to reach the marketplace; None means the embedded default."""

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
    return values


def resolve(**given: Any) -> Settings:
    """Settings from the given flag/env values, filling the Nones from the config file."""
    settings = Settings(**{k: v for k, v in given.items() if v is not None and v != ""})
    from_file: dict[str, Any] = {
        k: (Path(v).expanduser() if k in ("keystore", "store", "password_file") else v)
        for k, v in _config_file().items()
        if getattr(settings, k) is None
    }
    return replace(settings, **from_file)


RpcUrlOption = Annotated[
    str | None,
    typer.Option(
        "--rpc-url",
        envvar="SAIAAS_RPC_URL",
        show_default=False,
        help="JSON-RPC URL of an EVM node (e.g. anvil); default: the embedded chain.",
    ),
]
IpfsApiOption = Annotated[
    str | None,
    typer.Option(
        "--ipfs-api",
        envvar="SAIAAS_IPFS_API",
        show_default=False,
        help="Kubo RPC URL of an IPFS node; default: the embedded store.",
    ),
]
FactoryOption = Annotated[
    str | None,
    typer.Option(
        "--factory",
        envvar="SAIAAS_FACTORY",
        show_default=False,
        help="Address of the marketplace Factory; default: the one recorded for this chain.",
    ),
]
KeystoreOption = Annotated[
    Path | None,
    typer.Option(
        "--keystore",
        envvar="SAIAAS_KEYSTORE",
        show_default=False,
        help="Folder of encrypted JSON keystores; default: <data dir>/keystore.",
    ),
]
AccountOption = Annotated[
    str | None,
    typer.Option(
        "--account",
        envvar="SAIAAS_ACCOUNT",
        show_default=False,
        help="Keystore name or address to act as; default: the node's first account.",
    ),
]
StoreOption = Annotated[
    Path | None,
    typer.Option(
        "--store",
        envvar="SAIAAS_STORE",
        show_default=False,
        help="Folder of the embedded content store; default: <data dir>/store.",
    ),
]
PasswordFileOption = Annotated[
    Path | None,
    typer.Option(
        "--password-file",
        envvar="SAIAAS_PASSWORD_FILE",
        show_default=False,
        help="File holding the keystore password (else $SAIAAS_PASSWORD, else a prompt).",
    ),
]
JsonOption = Annotated[bool, typer.Option("--json", help="Print machine-readable JSON.")]
