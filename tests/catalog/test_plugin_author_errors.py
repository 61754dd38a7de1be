"""What a third-party plugin author sees for the mistakes they make first: each
message names the plugin, the item and the key, in the words the guide uses."""

from __future__ import annotations

import tomllib
from pathlib import Path

from core import hookimpl
from core.catalog.registry import build_catalog
from core.plugins import make_plugin_manager

ROOT = Path(__file__).resolve().parents[2]
PENSION = ROOT / "plugins/social_security/items/pension_enrolment.toml"


def pension(code: str) -> dict:
    return tomllib.loads(PENSION.read_text(encoding="utf-8")) | {"code": code}


def problems_of(item: dict) -> list[str]:
    class Civil:
        @staticmethod
        @hookimpl
        def tongban_items():
            return [item]

    problems: list = []
    build_catalog(make_plugin_manager(extra=[("civil", Civil)]), problems=problems)
    return [str(p) for p in problems if p.plugin == "civil"]


def test_an_unknown_item_type_is_called_an_item_type_and_the_types_listed():
    found = problems_of(pension("990000000201") | {"type": "service"})
    assert found == [
        "civil: item 990000000201: type: unknown item type 'service'; use one of "
        "confirmation, licence, other_administrative, payment, public_service, reward, ruling"
    ]


def test_an_unknown_step_kind_lists_the_kinds():
    item = pension("990000000202")
    item["workflow"]["steps"][1]["kind"] = "reveiw"
    assert problems_of(item) == [
        "civil: item 990000000202: workflow.steps[1].kind: unknown step kind 'reveiw'; "
        "use one of accept, decide, deliver, issue, parallel, review"
    ]


def test_an_unknown_material_form_and_approval_action_list_their_values():
    item = pension("990000000203")
    item["materials"][0]["form"] = "scan"
    assert problems_of(item) == [
        "civil: item 990000000203: materials[0].form: invalid enum value 'scan'; "
        "use one of copy, electronic, original, original_and_copy"
    ]
    item = pension("990000000204")
    item["workflow"]["steps"][1]["allow"] = ["reject"]
    assert problems_of(item) == [
        "civil: item 990000000204: workflow.steps[1].allow[0]: invalid enum value 'reject'; "
        "use one of add_signer, delegate, remove_signer, return, transfer"
    ]


def test_an_unknown_field_type_keeps_its_wording():
    item = pension("990000000205")
    item["form"]["fields"][0]["type"] = "colour"
    found = problems_of(item)
    assert len(found) == 1
    assert found[0].startswith(
        "civil: item 990000000205: form.fields[0].type: unknown field type 'colour'"
    )


def test_a_scaffold_with_a_long_name_passes_ruff_as_generated(tmp_path):
    """The generated package is lint- and format-clean with its own settings
    (pyproject's [tool.ruff]), whatever the plugin's name makes the lines."""
    import subprocess
    import sys

    from core.catalog.scaffold import create_plugin

    for name in ("civil_affairs", "municipal_civil_affairs_old_age_care_x"):
        package = create_plugin(name, tmp_path, title="民政局", title_en="Civil affairs bureau")
        for args in (["check", "."], ["format", "--check", "--diff", "."]):
            result = subprocess.run(
                [sys.executable, "-m", "ruff", *args, "--no-cache"],
                cwd=package,
                capture_output=True,
                text=True,
                timeout=60,
            )
            assert result.returncode == 0, f"{name}: ruff {args}\n{result.stdout}{result.stderr}"


# -- documents: the shape of what tongban_render_document is given -----------------


def test_render_document_helper_lays_out_a_plugins_document_as_the_worker_would():
    from core.testing import render_document

    values = {
        "insurance_types": ["pension"],
        "period_from": "2020-01-01",
        "period_to": "2024-12-01",
        "purpose": "other",
    }
    document = render_document(
        "social_security",
        "licence",
        "000115004000",
        values,
        case={"tracking_code": "509910261208000012", "decided_at": "2026-03-02T02:00:00+00:00"},
        holder_name="王五",
    )
    assert document is not None
    assert document.title == "社会保险参保缴费记录（参保证明）"
    rows = dict(document.rows)
    assert rows["参保人"] == "王五"
    assert rows["公民身份号码"] == "110***********002X"
    assert rows["出具日期"] == "2026-03-02"
    assert document.extra["number"] == "CBZM-509910261208000012"
    # Not the plugin's document kind or item: the core's own layout is used.
    assert render_document("social_security", "receipt", "000115004000", values) is None


def _guide_example(hook: str) -> str:
    text = (ROOT / "docs/plugins.md").read_text(encoding="utf-8")
    section = text.split(f"### {hook}\n", 1)[1].split("\n### ", 1)[0]
    return section.split("```python\n", 1)[1].split("```", 1)[0]


def test_the_guides_render_document_example_runs_on_what_the_hook_is_given():
    """The guide's example reads the holder and the case the way the worker passes them."""
    from types import SimpleNamespace

    from core.signing.notices import Holder

    namespace: dict = {}
    exec(compile("from core import hookimpl\n" + _guide_example("tongban_render_document"),
                 "docs/plugins.md", "exec"), namespace)  # fmt: skip
    holder = Holder(resident_id=7, name="王五", id_number_masked="110***********002X", id_hash="")
    case = {"id": 12, "tracking_code": "509910261208000012", "outcome": "approved",
            "decided_at": "2026-03-02T02:00:00+00:00"}  # fmt: skip
    item = SimpleNamespace(code="993672975934")
    laid_out = namespace["tongban_render_document"](
        kind="licence", item=item, case=case, values={"total_area": "4.75"}, holder=holder
    )
    assert ("经营者", "王五") in laid_out["rows"]
