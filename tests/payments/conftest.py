"""The payments tests log demo staff in like the department plugins' tests do."""

from tests.plugins.conftest import staff  # noqa: F401  (a fixture)
