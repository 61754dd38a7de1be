"""What the server-rendered form shows: visible fields, group entries, computed values.

The page is re-rendered by the server on every change (htmx), so conditional
fields, repeating groups and computed fields need no JavaScript of their own.
Visibility and computed values come from the validator's own cleaned values,
so the page shows exactly the fields a submission will be checked against.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from core.catalog.conditions import evaluate
from core.catalog.fields import HARD_MAX_ITEMS, Field, FileInfo
from core.catalog.forms import FieldError, Form, validate

MAX_OPS_INDEX = HARD_MAX_ITEMS


@dataclass
class FieldView:
    field: Field
    path: str  # "plots[1].area"
    raw: Any  # what was typed (re-displayed as is)
    value: Any = None  # the computed value, for computed fields
    errors: list[FieldError] = field(default_factory=list)
    entries: list[list[FieldView]] = field(default_factory=list)  # groups
    file: FileInfo | None = None  # file fields: the upload the token stands for
    layout: int = 0  # which arrangement of group entries the page shows (see dom_id)

    @property
    def dom_id(self) -> str:
        """The element id of the field's input.

        The section is re-rendered while the person types, and inputs keep
        what was typed meanwhile (``hx-preserve``) by id. Inside a repeating
        group the path holds the entry's index, which an added or removed
        entry shifts, so the id there also names the layout: it changes with
        every add or remove (the server's copy then wins) and stays the same
        across any other re-render (the typed text is kept).
        """
        flat = self.path.replace(".", "-").replace("[", "-").replace("]", "")
        return f"f-l{self.layout}-{flat}" if "[" in self.path else f"f-{flat}"

    @property
    def can_add(self) -> bool:
        limit = self.field.max_items if self.field.max_items is not None else HARD_MAX_ITEMS
        return len(self.entries) < min(limit, HARD_MAX_ITEMS)

    @property
    def can_remove(self) -> bool:
        return len(self.entries) > max(self.field.min_items or 0, 1 if self.field.required else 0)


def apply_op(form: Form, data: dict, op: str) -> dict:
    """``add:plots`` appends an empty entry, ``remove:plots[2]`` drops one (nested too:
    ``add:plots[0].owners``). Unknown or malformed operations change nothing."""
    verb, _, target = (op or "").partition(":")
    if verb not in ("add", "remove") or not target or len(target) > 200:
        return data
    parts = target.replace("]", "").replace("[", ".").split(".")
    node: Any = data
    fields = form.fields
    index_to_remove = None
    if verb == "remove":
        if not parts[-1].isdigit():
            return data
        index_to_remove = int(parts.pop())
    for position, part in enumerate(parts):
        last = position == len(parts) - 1
        if part.isdigit():
            if not isinstance(node, list) or int(part) >= len(node):
                return data
            node = node[int(part)]
            continue
        declared = next((f for f in fields if f.name == part), None)
        if declared is None or not isinstance(node, dict):
            return data
        if last:
            if declared.type != "group":
                return data
            entries = node.get(part)
            entries = list(entries) if isinstance(entries, list) else []
            if verb == "add" and len(entries) < HARD_MAX_ITEMS:
                entries.append({})
            elif (
                verb == "remove" and index_to_remove is not None and index_to_remove < len(entries)
            ):
                entries.pop(index_to_remove)
            node[part] = entries
            return data
        fields = declared.fields
        node = node.setdefault(part, []) if declared.type == "group" else node.get(part)
    return data


def form_view(
    form: Form,
    raw: Mapping[str, Any],
    *,
    computed: Mapping[str, Callable[[dict], Any]] | None = None,
    known_unit_codes: Any = None,
    files: Mapping[str, FileInfo] | None = None,
    show_errors: Callable[[str], bool] = lambda path: True,
    errors: list[FieldError] | None = None,
    layout: int = 0,
    today: date | None = None,
) -> list[FieldView]:
    """The fields to render, top to bottom, with the errors ``show_errors`` lets through.

    ``errors``: show these instead of the schema's (a failed submission's errors,
    which include those of the plugins' validation hooks). ``layout``: the
    arrangement of group entries (:attr:`FieldView.dom_id`). ``today``: as for
    :func:`core.catalog.forms.validate`.
    """
    files = files or {}
    result = validate(
        form, raw, computed=computed, known_unit_codes=known_unit_codes, files=files, today=today
    )
    grouped: dict[str, list[FieldError]] = {}
    for error in result.errors if errors is None else errors:
        grouped.setdefault(error.path, []).append(error)
    errors_by_path = grouped
    builder = _Builder(
        computed or {}, known_unit_codes, files, errors_by_path, show_errors, layout, today
    )
    return builder.fields(form.fields, raw, result.values, "", ())


class _Builder:
    def __init__(
        self, computed, known_unit_codes, files, errors, show_errors, layout=0, today=None
    ) -> None:
        self.computed = computed
        self.today = today
        self.known = known_unit_codes
        self.files = files
        self.errors = errors
        self.show = show_errors
        self.layout = layout

    def fields(self, fields, raw, cleaned, prefix, outer) -> list[FieldView]:
        raw = raw if isinstance(raw, Mapping) else {}
        scopes = (({f.name for f in fields}, cleaned), *outer)

        def lookup(name: str) -> Any:
            for names, values in scopes:
                if name in names:
                    return values.get(name)
            return None

        views = []
        for f in fields:
            if f.show_if is not None and not evaluate(f.show_if, lookup):
                continue
            path = prefix + f.name
            view = FieldView(field=f, path=path, raw=raw.get(f.name), layout=self.layout)
            view.errors = [
                e
                for p, errs in self.errors.items()
                if (p == path or p.startswith(path + ".")) and self.show(path)
                for e in errs
            ]
            if f.type == "computed":
                view.value = cleaned.get(f.name)
            elif f.type == "file" and isinstance(view.raw, str):
                view.file = self.files.get(view.raw)
            elif f.type == "group":
                view.entries = self.group(f, view.raw, path, scopes)
            views.append(view)
        return views

    def group(self, f: Field, raw: Any, path: str, scopes) -> list[list[FieldView]]:
        entries = raw if isinstance(raw, list) else []
        if not entries:
            entries = [{}] * max(f.min_items or 0, 1)
        out = []
        for index, entry in enumerate(entries[:HARD_MAX_ITEMS]):
            # Each entry's own cleaned values drive its conditions and computed fields.
            cleaned = validate(
                Form(fields=f.fields),
                entry if isinstance(entry, Mapping) else {},
                computed=self.computed,
                known_unit_codes=self.known,
                files=self.files,
                today=self.today,
            ).values
            out.append(self.fields(f.fields, entry, cleaned, f"{path}[{index}].", scopes))
        return out
