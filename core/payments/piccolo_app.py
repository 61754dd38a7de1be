from pathlib import Path

from piccolo.conf.apps import AppConfig

from core.payments.tables import AssessedFee, Assessment, Payment, Receipt, ReceiptSequence

APP_CONFIG = AppConfig(
    app_name="payments",
    migrations_folder_path=str(Path(__file__).parent / "piccolo_migrations"),
    table_classes=[Assessment, AssessedFee, Payment, Receipt, ReceiptSequence],
    migration_dependencies=["core.cases.piccolo_app", "core.tenancy.piccolo_app"],
    commands=[],
)
