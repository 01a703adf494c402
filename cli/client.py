"""`saiaas client label MODEL INPUT`: the client applies a delivered model to a new input.

MODEL is the CID of a delivery manifest (what the infrastructure winner put on chain). Nothing in
it is trusted before it is checked: the attestation must be signed by the auction's
infrastructure winner (--auction, read from the chain) or by an address the person names
(--signer); with neither, the signer the report names is accepted and the output says so, since
that proves only that the report is self-consistent. The model and the provider's predict code
are decrypted with the client's X25519 key file and run in the isolated worker: the client runs
code it did not write.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from saiaas.cli.options import READ, JsonOption, connection
from saiaas.cli.output import console, print_json, reports_errors
from saiaas.ontologies.errors import InputError, UsageError

if TYPE_CHECKING:
    import numpy as np
    from saiaas.market import Settings

__all__ = ["client_app", "label_command", "read_input"]

client_app = typer.Typer(
    help="The client's side of the learning phase: use a delivered model.",
    no_args_is_help=True,
)


LabelInputError = InputError
LabelUsageError = UsageError


def read_input(path: Path, features: int | None = None) -> np.ndarray:
    """One input as a flat float vector: a .npy array (e.g. an 8x8 image) or a .csv/.txt of
    numbers (commas, spaces or newlines); `features`, when known, is the size the model needs."""
    import io

    import numpy as np
    from saiaas.cli.files import read_file

    data = read_file(path, "input", missing=LabelInputError)
    if path.suffix.lower() == ".npy":
        try:
            array = np.load(io.BytesIO(data), allow_pickle=False)
        except (OSError, ValueError, EOFError) as error:
            raise LabelInputError(f"{path}: not a readable .npy array ({error})") from None
    else:
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError as error:
            raise LabelInputError(f"{path}: not a text file of numbers ({error})") from None
        words = text.replace(",", " ").split()
        try:
            array = np.array([float(w) for w in words])
        except ValueError:
            bad = next(w for w in words if not _is_number(w))
            raise LabelInputError(f"{path}: {bad!r} is not a number") from None
    if array.dtype.kind not in "biuf":
        raise LabelInputError(f"{path}: holds {array.dtype} values, not numbers")
    flat = np.asarray(array, dtype=np.float64).reshape(-1)
    if flat.size == 0:
        raise LabelInputError(f"{path}: holds no numbers")
    if not np.all(np.isfinite(flat)):
        raise LabelInputError(f"{path}: holds NaN or infinite values")
    if features is not None and flat.size != features:
        raise LabelInputError(
            f"{path}: holds {flat.size} numbers (shape {array.shape}); the model was trained on "
            f"{features} features per input (an 8x8 image is 64)"
        )
    return flat


def _is_number(word: str) -> bool:
    try:
        float(word)
    except ValueError:
        return False
    return True


def _expected_signer(
    settings: Any, auction: str | None, signer: str | None, model: str
) -> tuple[str | None, str]:
    """The address the attestation must be signed by, and where it came from (said in output).
    With --auction, MODEL must also be the CID that auction's winner delivered on chain."""
    from saiaas.cli.units import parse_address

    if auction is not None and signer is not None:
        raise LabelUsageError("give --auction or --signer, not both")
    if signer is not None:
        return parse_address(signer, "--signer"), "--signer"
    if auction is None:
        return None, "the report itself (not checked against any chain)"
    address = parse_address(auction, "--auction")
    from saiaas.contracts import Category
    from saiaas.market import Marketplace

    with Marketplace.open(settings) as market:
        handle = market.auction(address)
        sla = handle.sla()
    if sla is None:
        raise LabelUsageError(f"{auction} has no SLA (bidding, or failed): no winner to check")
    from saiaas.storage import same_cid

    if sla.model_cid is None:
        raise LabelUsageError(f"{auction}: no model has been delivered on chain yet")
    if not same_cid(sla.model_cid, model):
        raise LabelUsageError(
            f"{model} is not the model delivered on chain for {auction} ({sla.model_cid})"
        )
    return sla.winners[Category.INFRASTRUCTURE].bidder, f"the infrastructure winner of {auction}"


@client_app.command("label")
@reports_errors
@connection(*READ)
def label_command(
    model: Annotated[str, typer.Argument(
        metavar="MANIFEST", show_default=False,
        help="CID of the delivery manifest (delivered on chain; `provider train` and `client "
             "evaluate` print it).")],
    input_file: Annotated[Path, typer.Argument(
        metavar="INPUT", help="One input: a .npy array (e.g. an 8x8 image) or a .csv of numbers.",
        show_default=False)],
    key: Annotated[str, typer.Option(
        "--key", show_default=False,
        help="The client's X25519 key: a key file, or the name `client generate-key` kept it "
             "under.")],
    auction: Annotated[str | None, typer.Option(
        "--auction", show_default=False,
        help="Check the signer against this auction's infrastructure winner (reads the chain).",
    )] = None,
    signer: Annotated[str | None, typer.Option(
        "--signer", show_default=False,
        help="Check the signer against this address (when the chain is not at hand).",
    )] = None,
    json_output: JsonOption = False,
    settings: Settings = None,  # type: ignore[assignment]
) -> None:
    """Label one input with a delivered model: check, decrypt, predict in the isolated worker."""
    if not model.startswith(("baf", "Qm")) and Path(model).is_file():
        # the decrypted model.bin `client decrypt` just wrote is what a newcomer reaches for
        raise LabelUsageError(
            f"{model} is a file: MANIFEST is the delivery manifest's CID (`saiaas provider "
            "train` and `saiaas client evaluate` print it; `saiaas auction status` shows it as "
            "its model)"
        )
    from saiaas.learning import label, receive_model
    from saiaas.learning.attestation import SignedReport
    from saiaas.learning.evaluation import _manifest

    expected, source = _expected_signer(settings, auction, signer, model)
    from saiaas.cli.output import prompt_password
    from saiaas.market import Marketplace
    from saiaas.market.learning_keys import key_from_file_or_name

    keys = key_from_file_or_name(Marketplace(settings, password=prompt_password).password, key)
    from saiaas.cli.store import open_store

    content = open_store(settings)  # the store only: no chain is opened for it
    if expected is None:
        claimed = SignedReport.from_json(_manifest(content, model)["attestation"]).report
        expected = str(claimed.get("signer") or "")
    received = receive_model(content, model, keys, expected)
    metrics = received.attestation.report.get("metrics") or {}
    features = metrics.get("features") if isinstance(metrics.get("features"), int) else None
    row = read_input(input_file, features)
    predicted = label(received.model, received.predict_code, row,
                      code_name=received.code_name)
    result = {
        "manifest_cid": model,
        "input": str(input_file),
        "predicted": predicted,
        "signer": received.attestation.signer,
        "signer_checked_against": source,
        "attestation": received.attestation.to_json(),
        "model_cid": received.model_cid,
    }
    if json_output:
        print_json(result)
        return
    console.print(f"predicted label: [bold]{predicted}[/]", highlight=False)
    console.print(f"model {received.model_cid} (manifest {model}), report signed by "
                  f"{received.attestation.signer}; signer checked against {source}",
                  highlight=False, soft_wrap=True)
    if auction is None and signer is None:
        console.print("[yellow]note:[/] without --auction or --signer this shows only that the "
                      "report is signed by the key it names, not that it is the winner's",
                      highlight=False, soft_wrap=True)


# ------------------------------------------------------------------ the learning phase (issue 15)

KeyNameOption = Annotated[str | None, typer.Option(
    "--key", show_default=False,
    help="Name of your client key (`saiaas client generate-key`); default: the one whose public "
         "half the auction's request publishes.")]
AuctionArgument = Annotated[str, typer.Argument(metavar="AUCTION", help="Auction address.",
                                                show_default=False)]


@client_app.command("generate-key")
@reports_errors
@connection("password_file")
def generate_key(
    name: Annotated[str, typer.Option("--name", help="Name to keep the key under.")] = "default",
    json_output: JsonOption = False,
    settings: Settings = None,  # type: ignore[assignment]
) -> None:
    """Make your X25519 key pair for receiving models; prints the public key.

    The private half is kept encrypted in <data dir>/client-keys/NAME.json (the password comes
    from --password-file, $SAIAAS_PASSWORD or a prompt) and is never printed. Publish the public
    half with `saiaas auction create REQUEST --client-key NAME`. Exit codes: 0 made, 2 the name
    is taken or not a plain name, 3 no password.
    """
    from saiaas.cli.output import prompt_password
    from saiaas.market import Marketplace
    from saiaas.market.learning_keys import generate_client_key

    market = Marketplace(settings, password=prompt_password)
    path, public = generate_client_key(market.password, name)
    if json_output:
        print_json({"name": name, "public_key": public, "file": str(path)})
        return
    console.print(public, highlight=False)
    from saiaas.cli.output import err_console

    err_console.print(f"[dim]client key {name!r} kept encrypted in {path}; publish it with "
                      f"`saiaas auction create REQUEST --client-key {name}`[/]",
                      highlight=False, soft_wrap=True)


def _held_out(path: Path) -> bytes:
    from saiaas.cli.files import MAX_CONTENT_BYTES, read_file

    return read_file(path, "held-out images", MAX_CONTENT_BYTES, missing=InputError)


@client_app.command("evaluate")
@reports_errors
@connection("rpc_url", "ipfs_api", "factory", "store", "password_file")
def evaluate_command(
    auction: AuctionArgument,
    held_out: Annotated[Path, typer.Option(
        "--held-out", show_default=False,
        help="Your labelled held-out images: an .npz with arrays X (one row per image) and y.")],
    key: KeyNameOption = None,
    report: Annotated[Path | None, typer.Option(
        "--report", show_default=False,
        help="Write the evaluation report here (usable as `auction reject --reason-file`).")]
    = None,
    json_output: JsonOption = False,
    settings: Settings = None,  # type: ignore[assignment]
) -> None:
    """Check the delivered model (signer = the SLA's infrastructure winner, this auction, this
    chain), decrypt it with your key and measure its accuracy on your held-out images against
    the request's minAccuracy. The verdict is recorded for `saiaas auction acknowledge`.

    Exit codes: 0 the model meets minAccuracy, 1 it does not (or the delivery does not check
    out), 3 unreadable file, wrong password or no key, 4 chain, 5 store.
    """
    from saiaas.cli.options import open_market
    from saiaas.market.delivery_checks import evaluate, evaluation_report

    data = _held_out(held_out)
    with open_market(settings) as market:
        handle = market.auction(auction)
        result = evaluate(market, handle, data, str(held_out), key)
    if report is not None:
        try:
            report.write_bytes(evaluation_report(result))
        except OSError as error:
            raise InputError(f"cannot write --report {report}: {error.strerror}") from None
        result["report_file"] = str(report)
    if json_output:
        print_json(result)
    else:
        verdict = "[green]meets[/]" if result["passed"] else "[red]misses[/]"
        console.print(f"{verdict} the request: {result['reason']}", highlight=False,
                      soft_wrap=True)
        console.print(f"model {result['model_cid']} (manifest {result['manifest_cid']}), report "
                      f"signed by the infrastructure winner {result['signer']}; decrypted with "
                      f"key {result['key']!r}", highlight=False, soft_wrap=True)
        nxt = (f"saiaas auction acknowledge {handle.address}" if result["passed"] else
               f"saiaas auction reject {handle.address} --reason-file "
               f"{report or 'REPORT'} (when the terms name an arbitrator)")
        console.print(f"next: {nxt}", highlight=False, soft_wrap=True)
    if not result["passed"]:
        raise typer.Exit(1)


@client_app.command("decrypt")
@reports_errors
@connection("rpc_url", "ipfs_api", "factory", "store", "password_file")
def decrypt_command(
    auction: AuctionArgument,
    out: Annotated[Path, typer.Option("--out", help="Where to write the decrypted model.",
                                      show_default=False)],
    key: KeyNameOption = None,
    json_output: JsonOption = False,
    settings: Settings = None,  # type: ignore[assignment]
) -> None:
    """Write the delivered model, decrypted with your key, after checking the delivery (signer
    = the SLA's infrastructure winner, this auction, this chain).

    Exit codes: 0 written, 1 the delivery does not check out, 3 wrong key or password, or the
    file cannot be written, 4 chain, 5 store.
    """
    from saiaas.cli.options import open_market
    from saiaas.market.delivery_checks import decrypt_model

    with open_market(settings) as market:
        handle = market.auction(auction)
        result = decrypt_model(market, handle, key)
    model = result.pop("model")
    try:
        out.write_bytes(model)
    except OSError as error:
        raise InputError(f"cannot write --out {out}: {error.strerror}") from None
    result.update({"out": str(out), "bytes": len(model)})
    if json_output:
        print_json(result)
        return
    console.print(f"model {result['model_cid']} decrypted with key {result['key']!r}: "
                  f"{len(model)} bytes written to {out}", highlight=False, soft_wrap=True)
