"""The public API for plugins. A plugin imports from ``core`` and ``core.api`` only.

Anything not re-exported here may change without notice; if a plugin needs
more, widen this module on purpose.
"""

from core import hookimpl
from core.catalog.fees import FeeContext, FeeLine
from core.catalog.forms import Choice, Field, FieldError, Form
from core.catalog.items import Fee, Item, Material, Result
from core.catalog.workflow import Step, Workflow
from core.i18n import N_
from core.jobs.outbox import enqueue as enqueue_job
from core.payments.channels import PaymentChannel
from core.tenancy.model import Level, Role, UnitKind

__all__ = [
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
    "PaymentChannel",
    "Result",
    "Role",
    "Step",
    "UnitKind",
    "Workflow",
    "enqueue_job",
    "hookimpl",
]
