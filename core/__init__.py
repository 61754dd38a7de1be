"""Tongban core: the platform kernel. It knows nothing of any department.

Plugins import two things from here: the ``hookimpl`` marker below and the
public API in :mod:`core.api`. Nothing else in ``core`` is a promise.
"""

import pluggy

hookimpl = pluggy.HookimplMarker("tongban")

__all__ = ["hookimpl"]
