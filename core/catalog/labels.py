"""English msgids for the catalogue's enumerations, translated where they are shown."""

from __future__ import annotations

from core.i18n import N_

ITEM_TYPES = {
    "licence": N_("Administrative licence"),
    "confirmation": N_("Administrative confirmation"),
    "payment": N_("Administrative payment"),
    "ruling": N_("Administrative ruling"),
    "reward": N_("Administrative reward"),
    "other_administrative": N_("Other administrative power"),
    "public_service": N_("Public service"),
}

ONLINE_DEPTHS = {
    1: N_("Information only"),
    2: N_("Forms can be downloaded"),
    3: N_("Can be applied for online, the result is collected"),
    4: N_("Fully online"),
}

MATERIAL_FORMS = {
    "original": N_("Original"),
    "copy": N_("Copy"),
    "original_and_copy": N_("Original and copy"),
    "electronic": N_("Electronic"),
}

LABELS = {
    "item_types": ITEM_TYPES,
    "online_depths": ONLINE_DEPTHS,
    "material_forms": MATERIAL_FORMS,
}
