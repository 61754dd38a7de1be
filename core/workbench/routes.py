"""The workbench's controllers, mounted through the plugin hook."""

from core.workbench.routes_cases import WorkbenchController
from core.workbench.routes_desk import DeskBatchController
from core.workbench.routes_filing import FilingDeskController
from core.workbench.routes_residents import ResidentDeskController

ROUTES: list = [
    WorkbenchController,
    ResidentDeskController,
    FilingDeskController,
    DeskBatchController,
]
