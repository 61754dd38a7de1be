"""``tongban ca …``, ``tongban verify``, ``tongban audit …`` and ``tongban documents …``.

``tongban verify`` works offline: given ``--root`` (and optionally
``--crl``) it needs neither the database nor the network, so anyone with
the site's root certificate can check a document on their own machine.
"""

from __future__ import annotations

import asyncio
import json
import os
import sys
from pathlib import Path

import click

PASSPHRASE_ENV = "TONGBAN_CA_PASSPHRASE"


def _run(coro):
    return asyncio.run(coro)


def _passphrase(path: str | None, *, confirm: bool = False) -> str:
    """From --passphrase-file, else $TONGBAN_CA_PASSPHRASE, else the demo file, else a prompt."""
    if path:
        return Path(path).read_text().strip()
    if os.environ.get(PASSPHRASE_ENV):
        return os.environ[PASSPHRASE_ENV]
    from core.settings import get_settings
    from core.signing.authority import ROOT_PASSPHRASE_FILE

    settings = get_settings()
    demo_file = settings.var_dir / ROOT_PASSPHRASE_FILE
    if settings.demo and demo_file.exists() and not confirm:
        return demo_file.read_text().strip()
    return click.prompt(
        "Root CA passphrase", hide_input=True, confirmation_prompt=confirm, err=True
    )


def _fail(exc: Exception) -> None:
    from core.errors import TongbanError

    if isinstance(exc, TongbanError):
        raise click.ClickException(str(exc)) from exc
    raise exc


def _show_cert(row: dict) -> str:
    state = "revoked" if row["revoked_at"] else ("active" if row["active_for"] else "retired")
    unit = row.get("unit.code") or ""
    return (
        f"{row['kind']:<8} {row['serial']:<42} {state:<8} "
        f"{row['not_after']:%Y-%m-%d}  {row['common_name']} {unit}"
    )


def register(cli: click.Group) -> None:
    cli.add_command(ca)
    cli.add_command(verify)
    cli.add_command(audit)
    cli.add_command(documents)


# ------------------------------------------------------------------ tongban ca


@click.group()
def ca() -> None:
    """The site's certificate authority (seals, revocation, CRL)."""


@ca.command("init")
@click.option("--passphrase-file", type=click.Path(exists=True, dir_okay=False))
def ca_init(passphrase_file: str | None) -> None:
    """Create the root (key encrypted with the admin's passphrase) and the issuing CA."""
    from core.signing.authority import init_ca

    passphrase = _passphrase(passphrase_file, confirm=True)
    if len(passphrase) < 12:
        raise click.ClickException("the root passphrase must be at least 12 characters")
    try:
        row = _run(init_ca(passphrase))
    except Exception as exc:
        _fail(exc)
    click.echo(f"root CA {row['serial']} created; keep the passphrase offline")


@ca.command("status")
def ca_status() -> None:
    """List every certificate the site CA issued."""
    from core.signing.authority import certificates

    rows = _run(certificates())
    if not rows:
        click.echo("no certificate authority yet: run `tongban ca init`")
    for row in rows:
        click.echo(_show_cert(row))


@ca.command("issue-unit")
@click.argument("unit_code")
def ca_issue_unit(unit_code: str) -> None:
    """Issue or rotate a unit's seal (the old one stays valid for what it signed)."""
    from core.signing.authority import issue_unit_certificate
    from core.tenancy.tables import Unit

    async def go():
        unit = await Unit.select(Unit.id).where(Unit.code == unit_code).first()
        if unit is None:
            raise click.ClickException(f"no unit {unit_code}")
        return await issue_unit_certificate(unit["id"])

    try:
        row = _run(go())
    except click.ClickException:
        raise
    except Exception as exc:
        _fail(exc)
    click.echo(f"seal {row['serial']} issued for {unit_code}")


@ca.command("issue-person")
@click.argument("username")
@click.option("--unit", "unit_code", required=True, help="The unit the person signs for.")
def ca_issue_person(username: str, unit_code: str) -> None:
    """Issue or rotate an approver's personal signing certificate."""
    from core.signing.authority import issue_person_certificate
    from core.tenancy.tables import Staff, Unit

    async def go():
        staff = await Staff.select(Staff.id).where(Staff.username == username).first()
        unit = await Unit.select(Unit.id).where(Unit.code == unit_code).first()
        if staff is None or unit is None:
            raise click.ClickException("no such user or unit")
        return await issue_person_certificate(staff["id"], unit["id"])

    try:
        row = _run(go())
    except click.ClickException:
        raise
    except Exception as exc:
        _fail(exc)
    click.echo(f"personal certificate {row['serial']} issued for {username}")


@ca.command("revoke")
@click.argument("serial")
@click.option(
    "--reason",
    default="unspecified",
    type=click.Choice(
        [
            "unspecified",
            "key_compromise",
            "affiliation_changed",
            "superseded",
            "cessation_of_operation",
        ]
    ),
)
def ca_revoke(serial: str, reason: str) -> None:
    """Revoke a seal or personal certificate now; the CRL is republished at once."""
    from core.signing.authority import revoke

    try:
        row = _run(revoke(serial, reason))
    except Exception as exc:
        _fail(exc)
    click.echo(f"revoked {row['serial']} at {row['revoked_at']:%Y-%m-%d %H:%M:%S} UTC")


@ca.command("retire")
@click.argument("serial")
def ca_retire(serial: str) -> None:
    """Stop using a certificate without revoking it (what it signed stays valid)."""
    from core.signing.authority import retire

    try:
        row = _run(retire(serial))
    except Exception as exc:
        _fail(exc)
    click.echo(f"retired {row['serial']}")


@ca.command("rotate-issuing")
@click.option("--passphrase-file", type=click.Path(exists=True, dir_okay=False))
def ca_rotate_issuing(passphrase_file: str | None) -> None:
    """Make a new issuing CA with the root key (needs the root passphrase)."""
    from core.signing.authority import rotate_issuing

    try:
        row = _run(rotate_issuing(_passphrase(passphrase_file)))
    except Exception as exc:
        _fail(exc)
    click.echo(f"issuing CA {row['serial']} now signs new seals")


@ca.command("export")
@click.argument("folder", type=click.Path(file_okay=False))
def ca_export(folder: str) -> None:
    """Write root.pem, chain.pem, certs.pem and crl.pem for offline verifiers."""
    from core.signing import authority

    async def go():
        return (
            await authority.root_pem(),
            b"".join(await authority.issuing_pems()),
            b"".join(await authority.leaf_pems()),
            b"".join(await authority.current_crls()),
        )

    try:
        root, chain, certs, crl = _run(go())
    except Exception as exc:
        _fail(exc)
    out = Path(folder)
    out.mkdir(parents=True, exist_ok=True)
    for name, data in (
        ("root.pem", root),
        ("chain.pem", chain),
        ("certs.pem", certs),
        ("crl.pem", crl),
    ):
        (out / name).write_bytes(data)
    click.echo(f"wrote root.pem, chain.pem, certs.pem, crl.pem to {out}")


# ------------------------------------------------------------------ tongban verify


def _pem_blocks(data: bytes, marker: bytes) -> list[bytes]:
    begin, end = b"-----BEGIN " + marker + b"-----", b"-----END " + marker + b"-----"
    blocks, rest = [], data
    while begin in rest:
        start = rest.index(begin)
        stop = rest.index(end, start) + len(end)
        blocks.append(rest[start:stop] + b"\n")
        rest = rest[stop:]
    return blocks or ([data] if data.strip() else [])


def _print_result(result, document_hint: str = "") -> None:
    click.echo(f"{result.status.upper()}: {result.reason}")
    for label, value in (
        ("signer", result.signer),
        ("unit", result.unit),
        ("unit code", result.unit_code),
        ("serial", result.serial),
        ("signed at", result.signed_at and result.signed_at.isoformat()),
        ("revoked at", result.revoked_at and result.revoked_at.isoformat()),
        ("printed data matches", getattr(result, "data_matches", None)),
    ):
        if value is not None:
            click.echo(f"  {label + ':':<22}{value}")
    if result.signed_before_revocation is not None:
        when = "before" if result.signed_before_revocation else "after"
        click.echo(f"  signed {when} the certificate was revoked")
    if document_hint:
        click.echo(f"  {document_hint}")


@click.command()
@click.argument("files", nargs=-1, type=click.Path(exists=True, dir_okay=False))
@click.option(
    "--root",
    "root_path",
    type=click.Path(exists=True, dir_okay=False),
    help="The site's root certificate (offline; else the site database is asked).",
)
@click.option(
    "--crl",
    "crl_path",
    type=click.Path(exists=True, dir_okay=False),
    help="The site's CRL file (crl.pem); without it revocation is not checked.",
)
@click.option(
    "--signature",
    type=click.Path(exists=True, dir_okay=False),
    help="A detached CMS signature (.p7s) over FILE, for files that are not PDFs.",
)
@click.option("--qr", "qr_text", help="A scanned QR payload (TB1.…) to check instead of a file.")
@click.option(
    "--rows",
    "rows_path",
    type=click.Path(exists=True, dir_okay=False),
    help="With --qr: JSON list of [label, value] pairs as printed on the paper.",
)
@click.option(
    "--certs",
    "cert_paths",
    multiple=True,
    type=click.Path(exists=True, dir_okay=False),
    help="With --qr: certs.pem and chain.pem of the site.",
)
def verify(files, root_path, crl_path, signature, qr_text, rows_path, cert_paths) -> None:
    """Check signed documents (PDFs, or one file with --signature) or a QR payload.

    Exits 0 when every one is valid, 1 otherwise.
    """
    from core.signing.verify import verify_detached, verify_pdf

    if not files and not qr_text:
        raise click.UsageError("give a FILE or --qr")
    if signature and len(files) != 1:
        raise click.UsageError("--signature goes with exactly one FILE")
    if root_path:
        root = Path(root_path).read_bytes()
        crls = _pem_blocks(Path(crl_path).read_bytes(), b"X509 CRL") if crl_path else []
    else:
        from core.signing import authority

        async def trust():
            return await authority.root_pem(), await authority.current_crls()

        root, crls = _run(trust())
        click.echo("(trust taken from the site database)", err=True)
    results = []
    if qr_text:
        results.append(_verify_qr(qr_text, rows_path, cert_paths, root, crls))
        _print_result(results[-1])
    for name in files:
        data = Path(name).read_bytes()
        if signature:
            result = verify_detached(data, Path(signature).read_bytes(), root, crls)
        else:
            result = verify_pdf(data, root, crls)
        if len(files) > 1:
            click.echo(f"{name}:")
        _print_result(result)
        results.append(result)
    sys.exit(0 if all(r.ok for r in results) else 1)


def _verify_qr(text, rows_path, cert_paths, root, crls):
    from core.signing.ca import cert_info, load_certs
    from core.signing.qr import QrVerification, parse_qr_payload, verify_qr_payload

    if not rows_path or not cert_paths:
        raise click.UsageError("--qr needs --rows and --certs")
    rows = [tuple(r) for r in json.loads(Path(rows_path).read_text(encoding="utf-8"))]
    certs = [c for p in cert_paths for c in load_certs(Path(p).read_bytes())]
    try:
        serial = parse_qr_payload(text).serial
    except ValueError:
        return QrVerification("altered", "QR code is not a valid verification code")
    leaf = next((c for c in certs if c.serial_number == serial), None)
    if leaf is None:
        return QrVerification("unknown_signer", "QR code was signed with a different certificate")
    return verify_qr_payload(
        text, rows, leaf, root, intermediates=[c for c in certs if cert_info(c).is_ca], crl=crls
    )


# ------------------------------------------------------------------ tongban audit


@click.group()
def audit() -> None:
    """The tamper-evident case record."""


@audit.command("checkpoint")
def audit_checkpoint() -> None:
    """Sign a checkpoint of every case chain that changed since the last one (run daily)."""
    from core.signing.audit import make_checkpoint

    try:
        row = _run(make_checkpoint())
    except Exception as exc:
        _fail(exc)
    click.echo(f"checkpoint #{row['seq']} signed ({row['day']}): {row['digest']}")


@audit.command("verify")
@click.option("--all", "show_all", is_flag=True, help="List every problem, not only the first.")
def audit_verify(show_all: bool) -> None:
    """Recompute every case chain and checkpoint; report the first broken link."""
    from core.signing.audit import verify_all

    try:
        report = _run(verify_all())
    except Exception as exc:
        _fail(exc)
    click.echo(
        f"checked {report.cases} cases, {report.events} events, {report.checkpoints} checkpoints"
    )
    if report.unsealed_cases:
        click.echo(f"{report.unsealed_cases} cases changed after the last checkpoint")
    if report.ok:
        click.echo("OK: every chain and checkpoint verifies")
        return
    click.echo(f"BROKEN: {report.first}")
    others = report.problems[1:] if show_all else []
    for problem in others:
        click.echo(f"  also: {problem}")
    if len(report.problems) > 1 and not show_all:
        click.echo(f"  ({len(report.problems) - 1} more; --all lists them)")
    sys.exit(1)


# ------------------------------------------------------------------ tongban documents


@click.group()
def documents() -> None:
    """Signed case documents."""


@documents.command("backfill")
def documents_backfill() -> None:
    """Issue every document the case events call for but that is missing (idempotent)."""
    count = _run(_backfill())
    click.echo(f"{count} documents issued")


async def _backfill(batch: int = 200) -> int:
    from core.cases.tables import Case, CaseEvent
    from core.licences.issuing import issue_licences
    from core.signing.notices import issue_notices

    issued, last_id = 0, 0
    while True:
        cases = (
            await Case.select()
            .where((Case.id > last_id) & (Case.event_count > 0))
            .order_by(Case.id)
            .limit(batch)
        )
        if not cases:
            return issued
        for case in cases:
            last_id = case["id"]
            event = (
                await CaseEvent.select()
                .where((CaseEvent.case == case["id"]) & (CaseEvent.seq == case["event_count"]))
                .first()
            )
            if event is not None:
                issued += len(await issue_notices(case, event))
                issued += len(await issue_licences(case, event))
