"""The public API for plugins. A plugin imports from ``core`` and ``core.api`` only.

Anything not re-exported here may change without notice; if a plugin needs
more, widen this module on purpose.
"""

from core import hookimpl
from core.cases.declarations import Bundle, OutgoingMessage
from core.catalog.fees import FeeContext, FeeLine
from core.catalog.forms import Choice, Field, FieldError, Form
from core.catalog.items import Fee, Item, Material, Result
from core.catalog.workflow import Step, Workflow
from core.errors import TongbanError
from core.i18n import N_
from core.jobs.outbox import enqueue as enqueue_job
from core.payments.channels import PaymentChannel
from core.settings import site_today
from core.tenancy.model import Level, Role, UnitKind
from core.tenancy.scope import (
    Principal,
    case_visibility,
    document_visibility,
    require_write,
    resident_visibility,
    under,
)
from core.web.guards import login_required, provide_principal, require_roles

__all__ = [
    "Bundle",
    "Choice",
    "Fee",
    "FeeContext",
    "FeeLine",
    "Field",
    "FieldError",
    "Form",
    "Item",
    "Level",
    "Material",
    "N_",
    "OutgoingMessage",
    "PaymentChannel",
    "Principal",
    "Result",
    "Role",
    "Step",
    "TongbanError",
    "UnitKind",
    "Workflow",
    "case_visibility",
    "document_visibility",
    "enqueue_job",
    "hookimpl",
    "login_required",
    "provide_principal",
    "require_roles",
    "require_write",
    "resident_visibility",
    "site_today",
    "under",
]
