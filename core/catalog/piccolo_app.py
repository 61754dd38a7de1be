from pathlib import Path

from piccolo.conf.apps import AppConfig

from core.catalog.tables import (
    CatalogAdminEvent,
    DelegationRule,
    ItemVersion,
    PluginSwitch,
    Upload,
)

APP_CONFIG = AppConfig(
    app_name="catalog",
    migrations_folder_path=str(Path(__file__).parent / "piccolo_migrations"),
    table_classes=[ItemVersion, DelegationRule, PluginSwitch, CatalogAdminEvent, Upload],
    migration_dependencies=[],
    commands=[],
)
