from pathlib import Path

from piccolo.conf.apps import AppConfig

from core.licences.tables import Licence, LicenceUse

APP_CONFIG = AppConfig(
    app_name="licences",
    migrations_folder_path=str(Path(__file__).parent / "piccolo_migrations"),
    table_classes=[Licence, LicenceUse],
    migration_dependencies=[
        "core.tenancy.piccolo_app",
        "core.cases.piccolo_app",
        "core.signing.piccolo_app",
    ],
    commands=[],
)
