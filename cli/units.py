"""Amounts, durations and addresses as people type them ("0.5ether", "120gwei", "90s", "2h",
"3d", "0x5aAe...", "alice").

On-chain everything is integer wei and seconds; converting with Decimal keeps "0.1ether" exactly
10**17 wei, which float arithmetic would not.
"""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation, localcontext
from typing import TYPE_CHECKING

from saiaas.ontologies.errors import UsageError

if TYPE_CHECKING:
    from pathlib import Path

__all__ = [
    "UnitError",
    "parse_amount",
    "format_amount",
    "parse_duration",
    "format_duration",
    "parse_address",
]

_WEI_PER = {
    "wei": 1,
    "gwei": 10**9,
    "szabo": 10**12,
    "finney": 10**15,
    "ether": 10**18,
    "eth": 10**18,
}
_SECONDS_PER = {"s": 1, "m": 60, "min": 60, "h": 3600, "d": 86400, "w": 7 * 86400}
_AMOUNT = re.compile(r"^\s*([0-9]+(?:\.[0-9]*)?|\.[0-9]+)\s*([a-zA-Z]*)\s*$")
_DURATION_PART = re.compile(r"([0-9]+)\s*(min|[smhdw])")
_DIGITS = re.compile(r"^[0-9]+$")
_ZERO = re.compile(r"^0*(?:\.0*)?$")

#: Longest amount or duration text read (a typed value is a few characters; a script's runaway
#: variable is refused before any arithmetic).
MAX_TEXT = 64
#: The largest amount: a uint256 on chain.
MAX_WEI = 2**256 - 1
#: The longest duration: ten years (the contracts cap every window far lower and say so).
MAX_SECONDS = 10 * 365 * 86400


class UnitError(UsageError):
    """An amount or a duration on the command line that cannot be read."""


def parse_amount(text: str, what: str = "amount") -> int:
    """Wei from '0.5ether', '120gwei' or '1000wei'. A bare number is refused (is
    300000000000000000 wei or ether? both readings are spelled out), except 0, which is 0 in
    any unit. `what` names the value in errors (the option: --price)."""
    if len(text) > MAX_TEXT:
        raise UnitError(f"{what} {text[:20]!r}... is {len(text)} characters long; too long to be "
                        "an amount")
    match = _AMOUNT.match(text)
    if not match:
        raise UnitError(f"{what} {text!r} is not a number with a unit (e.g. 0.5ether, 120gwei)")
    number, unit = match.group(1), match.group(2).lower()
    if not unit:
        if _ZERO.match(number):
            return 0
        raise UnitError(f"{what} {text.strip()}: an amount needs a unit: write "
                        f"{number}wei or {number}ether")
    if unit not in _WEI_PER:
        raise UnitError(f"{what} {text!r}: unknown unit {unit!r} (use wei, gwei or ether)")
    try:
        with localcontext() as exact:
            exact.prec = 200  # wide enough that no amount a chain can hold is rounded
            wei = Decimal(number) * _WEI_PER[unit]
    except InvalidOperation:
        raise UnitError(f"{what} {text!r} is not a number") from None
    if wei != wei.to_integral_value():
        raise UnitError(f"{what} {text!r} is not a whole number of wei")
    if wei > MAX_WEI:
        raise UnitError(f"{what} {text!r} is more than a chain can hold (2**256 - 1 wei)")
    return int(wei)


def format_amount(wei: int) -> str:
    """'0.35 ETH' for 35 * 10**16 wei; exact, trailing zeros trimmed."""
    with localcontext() as exact:
        exact.prec = 200
        ether = Decimal(wei) / _WEI_PER["ether"]
    text = format(ether, "f")
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return f"{text} ETH"


def parse_duration(text: str) -> int:
    """Seconds from '90s', '2h', '3d', '1w', '1d12h' or a bare number of seconds; each unit at
    most once, at most ten years in all."""
    if len(text) > MAX_TEXT:
        raise UnitError(f"duration {text[:20]!r}... is {len(text)} characters long; too long to "
                        "be a duration")
    stripped = text.strip().lower()
    if _DIGITS.match(stripped):
        seconds = int(stripped)
    else:
        parts = _DURATION_PART.findall(stripped)
        if not parts or _DURATION_PART.sub("", stripped).strip():
            raise UnitError(f"duration {text!r} is not like 90s, 30m, 2h, 3d or 1w")
        units = [_SECONDS_PER[u] for _, u in parts]
        if len(set(units)) != len(units):
            raise UnitError(f"duration {text!r} names a unit twice (write 2d, not 1d1d)")
        seconds = sum(int(n) * _SECONDS_PER[u] for n, u in parts)
    if seconds <= 0:
        raise UnitError(f"duration {text!r} must be longer than zero")
    if seconds > MAX_SECONDS:
        raise UnitError(f"duration {text!r} is longer than ten years")
    return seconds


def format_duration(seconds: int) -> str:
    """'2d 3h 4m' for people; '0s' once the time is up."""
    if seconds <= 0:
        return "0s"
    out = []
    for unit, size in (("d", 86400), ("h", 3600), ("m", 60), ("s", 1)):
        if seconds >= size:
            out.append(f"{seconds // size}{unit}")
            seconds %= size
    return " ".join(out[:2])


def parse_address(text: str, what: str, keystore_dir: Path | None = None) -> str:
    """The EIP-55 address a person gave for `what` (an option: --bidder): an address whose
    mixed case must pass its checksum (all-lower and all-upper are accepted, as web3 does), or,
    given `keystore_dir`, the name of a keystore account there (as --account takes)."""
    from saiaas.market.accounts import checksum, keystores

    text = text.strip()
    if text[:2].lower() == "0x" or keystore_dir is None:
        return checksum(text, what)
    for name, address, _path in keystores(keystore_dir):
        if name == text:
            return address
    raise UnitError(f"{what} {text!r} is neither an address (0x and 40 hex digits) nor a "
                    f"keystore account in {keystore_dir}")
