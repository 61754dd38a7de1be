"""Piccolo's configuration: the engine and every app, core's and the plugins'."""

from piccolo.conf.apps import AppRegistry

from core.db import get_engine
from core.plugins import piccolo_app_paths

DB = get_engine()

APP_REGISTRY = AppRegistry(apps=piccolo_app_paths())
