"""`saiaas config ...`: where config.toml lives, and what each setting resolves to and why.

Glue only: the resolution (flag, then environment, then the network profile, then the config
file's top level, then the embedded default) is `saiaas.market.config.resolve`, the same call
every command makes through `@connection`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import typer
from saiaas.cli.options import JsonOption, connection
from saiaas.cli.output import console, print_json, reports_errors

if TYPE_CHECKING:
    from saiaas.market import Settings

__all__ = ["config_app"]

config_app = typer.Typer(
    help="Where config.toml and the data folder live; the resolved settings and profiles.",
    no_args_is_help=True,
)

#: What each setting means when nothing gives it.
_DEFAULTS = {
    "rpc_url": "the embedded chain (<data dir>/chain.bin)",
    "ipfs_api": "the embedded content store",
    "factory": "the Factory recorded for the chain in <data dir>/deployments.json",
    "keystore": "<data dir>/keystore",
    "account": "the node's first account (dev chains only)",
    "store": "<data dir>/store",
    "password_file": "$SAIAAS_PASSWORD, else a prompt",
    "chain_id": "not checked",
    "max_fee_wei": "the node's suggestion",
    "max_priority_fee_wei": "the node's suggestion",
    "confirmations": "0 (reported once mined)",
    "dev": "the embedded chain, or chain id 31337 or 1337",
}


def _rows(settings: Settings) -> dict[str, dict[str, Any]]:
    """Each setting: its value (None: the default) and where it came from."""
    from saiaas.market.views import wei

    values: dict[str, Any] = {
        "rpc_url": settings.rpc_url,
        "ipfs_api": settings.ipfs_api,
        "factory": settings.factory,
        "keystore": settings.keystore,
        "account": settings.account,
        "store": settings.store,
        "password_file": settings.password_file,
        "chain_id": settings.chain_id,
        "max_fee_wei": None if settings.max_fee is None else wei(settings.max_fee),
        "max_priority_fee_wei": (
            None if settings.max_priority_fee is None else wei(settings.max_priority_fee)
        ),
        "confirmations": settings.confirmations if "confirmations" in settings.sources else None,
        "dev": settings.dev,
    }
    source_key = {"max_fee_wei": "max_fee", "max_priority_fee_wei": "max_priority_fee"}
    rows = {}
    for key, value in values.items():
        source = settings.sources.get(source_key.get(key, key), "default")
        rows[key] = {
            "value": None if value is None else (value if isinstance(value, (int, bool)) else
                                                 str(value)),
            "source": source if value is not None else "default",
            "default": _DEFAULTS[key],
        }
    return rows


@config_app.command("path")
@reports_errors
def path(json_output: JsonOption = False) -> None:
    """Print where config.toml is read from (platformdirs, or $SAIAAS_CONFIG) and the data folder
    (platformdirs, or $SAIAAS_HOME)."""
    from saiaas.market.config import config_path, data_dir

    file = config_path()
    if json_output:
        print_json({"config_file": str(file), "config_exists": file.exists(),
                    "data_dir": str(data_dir())})
        return
    console.print(str(file), highlight=False, soft_wrap=True)


@config_app.command("show")
@reports_errors
@connection()
def show(settings: Settings = None, json_output: JsonOption = False) -> None:  # type: ignore[assignment]
    """Print the config file, the data folder, each setting as resolved with where it came from
    (flag, env, profile, config, default) and the network profiles defined."""
    import os

    from rich.markup import escape
    from saiaas.market.config import config_path, data_dir, network_profiles

    file = config_path()
    rows = _rows(settings)
    profiles = network_profiles()
    out = {
        "config_file": str(file),
        "config_exists": file.exists(),
        "config_from": "env SAIAAS_CONFIG" if os.environ.get("SAIAAS_CONFIG") else "platformdirs",
        "data_dir": str(data_dir()),
        "data_dir_from": "env SAIAAS_HOME" if os.environ.get("SAIAAS_HOME") else "platformdirs",
        "network": settings.network,
        "network_from": settings.sources.get("network") if settings.network else None,
        "settings": rows,
        "networks": profiles,
    }
    if json_output:
        print_json(out)
        return
    state = "" if out["config_exists"] else "  (absent: every setting has its default)"
    console.print(f"config file  {escape(str(file))}{state}", highlight=False, soft_wrap=True)
    console.print(f"data folder  {escape(out['data_dir'])}", highlight=False, soft_wrap=True)
    if settings.network:
        console.print(f"network      {settings.network} (from {out['network_from']})",
                      highlight=False)
    for key, row in rows.items():
        shown = row["default"] if row["value"] is None else row["value"]
        console.print(f"  {key:<21} {escape(str(shown))}  [dim]({row['source']})[/]",
                      highlight=False, soft_wrap=True)
    if profiles:
        console.print("profiles     " + ", ".join(sorted(profiles)), highlight=False)
    else:
        console.print(escape("profiles     none (add [networks.NAME] tables to the config file)"),
                      highlight=False)
