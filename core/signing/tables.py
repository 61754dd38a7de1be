"""Tables of the signing module: the site CA, CRLs, signed documents, consents, checkpoints.

Signed PDFs are stored *in the database* (``Document.pdf``), not under
``var/``: the row, its bytes and its hash commit in one transaction, so a
crash can never leave a half-written file or a row pointing at nothing, and
a production site with several app and worker machines needs no shared disk.
A document is ~40 KB, so a million documents are ~40 GB of ordinary table
data that the database's own backups already cover.
"""

from __future__ import annotations

from piccolo.columns import (
    JSON,
    Bytea,
    Date,
    ForeignKey,
    Integer,
    Text,
    Timestamptz,
    Varchar,
)
from piccolo.columns.defaults.timestamptz import TimestamptzNow
from piccolo.table import Table

from core.cases.tables import Case
from core.tenancy.tables import Staff, Unit


class Certificate(Table, tablename="signing_certificate"):
    """Every certificate the site CA made, with its private key encrypted.

    ``kind`` is root | issuing | unit | person | system.  The root's key is
    encrypted with the city admin's passphrase; all others with the site's
    key-encryption key (derived from the data key, see :mod:`.keys`).
    ``active_for`` names what the certificate currently serves
    (``"unit:12"``, ``"issuing"``…) and is NULL once superseded: a unique
    column, so two workers can never both make "the" seal of one unit.
    """

    kind = Varchar(length=16, index=True)
    serial = Varchar(length=64, unique=True)
    issuer_serial = Varchar(length=64, default="")
    subject = Varchar(length=512)
    common_name = Varchar(length=256, default="")
    unit = ForeignKey(Unit, null=True, index=True)
    staff = ForeignKey(Staff, null=True)
    backend = Varchar(length=32)
    cert_pem = Text()
    key_pem = Text()
    fingerprint = Varchar(length=64)
    not_before = Timestamptz()
    not_after = Timestamptz()
    active_for = Varchar(length=64, null=True, default=None, unique=True)
    created_at = Timestamptz(default=TimestamptzNow())
    retired_at = Timestamptz(null=True, default=None)
    revoked_at = Timestamptz(null=True, default=None)
    revocation_reason = Varchar(length=32, default="")


class Crl(Table, tablename="signing_crl"):
    """Each CRL an issuer published; the newest per issuer is the one served."""

    crl_key = Varchar(length=96, unique=True)  # "<issuer serial>:<number>"
    issuer_serial = Varchar(length=64, index=True)
    number = Integer()
    crl_pem = Text()
    this_update = Timestamptz()
    next_update = Timestamptz()


class Document(Table, tablename="signing_document"):
    """A signed PDF produced by a case event (receipt, notice, decision, e-licence).

    ``doc_key`` (``"<case>:<event seq>:<kind>"``) is unique, so an event
    handled twice produces its document once.  ``signature`` is a detached
    CMS signature over ``pdf`` for tools that do not read PDF signatures
    (``openssl cms -verify``).
    """

    doc_key = Varchar(length=96, unique=True)
    kind = Varchar(length=16, index=True)
    case = ForeignKey(Case, index=True)
    event_seq = Integer()
    unit = ForeignKey(Unit, null=True)
    title = Varchar(length=256)
    rows = JSON(default=[])
    verification_code = Varchar(length=24, unique=True)
    qr_payload = Text()
    signer_serial = Varchar(length=64, index=True)
    person_serial = Varchar(length=64, default="")
    signed_at = Timestamptz()
    pdf = Bytea()
    pdf_sha256 = Varchar(length=64, index=True)
    signature = Bytea()
    created_at = Timestamptz(default=TimestamptzNow())


class Authorisation(Table, tablename="signing_authorisation"):
    """A resident's consent that an agent files for them (代办授权).

    The resident is identified by the keyed hash of their ID number only.
    ``image`` is the signature drawn on the tablet (PNG) or the scan of a
    signed paper form.  ``case`` is set, once, when a submission uses it;
    its id and ``image_sha256`` then go into the case's hash-chained submit
    event, which binds the consent to the case.
    """

    resident_hash = Varchar(length=64, index=True)
    resident_name = Varchar(length=64)
    agent = ForeignKey(Staff, index=True)
    unit = ForeignKey(Unit)
    item_code = Varchar(length=32, default="")  # "" = any item
    method = Varchar(length=16)  # tablet | paper
    mime = Varchar(length=32)
    image = Bytea()
    image_sha256 = Varchar(length=64)
    created_at = Timestamptz(default=TimestamptzNow())
    expires_at = Timestamptz()
    case = ForeignKey(Case, null=True, default=None, unique=True)
    bound_at = Timestamptz(null=True, default=None)


class Checkpoint(Table, tablename="signing_checkpoint"):
    """A signed statement of the head of every case chain that changed since the last one.

    ``entries`` lists ``[case id, seq, event hash]``; ``digest`` hashes them
    together with the previous checkpoint's digest, so the checkpoints form
    a chain of their own and each one, transitively, commits to every case
    chain as it stood that day.  ``statement`` is the exact JSON that
    ``signature`` (detached CMS, by the site's system certificate) covers.
    """

    seq = Integer(unique=True)
    day = Date(index=True)
    made_at = Timestamptz()
    prev_digest = Varchar(length=64, default="")
    digest = Varchar(length=64)
    entries = JSON(default=[])
    statement = Text()
    signature = Bytea()
    signer_serial = Varchar(length=64)


class CheckpointHead(Table, tablename="signing_checkpoint_head"):
    """The last checkpointed head of each case chain: finds what changed since, cheaply."""

    case_id = Integer(unique=True)
    seq = Integer()
    hash = Varchar(length=64)
