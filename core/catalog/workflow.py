"""Workflow declarations: the steps a case passes through, and their check."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Literal

import msgspec

StepKind = Literal["accept", "review", "decide", "issue", "deliver", "parallel"]


class Step(msgspec.Struct, kw_only=True, forbid_unknown_fields=True, frozen=True):
    """One step, handled by ``role`` at the ``unit_kind`` found at ``level``.

    The router resolves (unit_kind, level) from the filing unit up the tree,
    e.g. ``service_centre`` at ``township`` is the village's township window.
    A ``parallel`` step fans out to its ``branches`` and joins when all answer.
    """

    id: str
    kind: StepKind
    name: str
    name_en: str = ""
    role: str = ""
    unit_kind: str = ""
    level: str = ""
    days: int | None = None  # this step's share of the committed limit
    branches: tuple[Step, ...] = ()
    silence_is_consent: bool = False  # parallel branch: no answer by the deadline = approved
    countersign: Literal["all", "any"] | None = None


class Workflow(msgspec.Struct, forbid_unknown_fields=True, frozen=True):
    steps: tuple[Step, ...]

    def walk(self) -> Iterator[Step]:
        for step in self.steps:
            yield step
            yield from step.branches

    def step(self, step_id: str) -> Step:
        for step in self.walk():
            if step.id == step_id:
                return step
        raise KeyError(step_id)

    def next_step(self, step_id: str) -> Step | None:
        """The top-level step after ``step_id`` (branches join back into their parent)."""
        ids = [s.id for s in self.steps]
        if step_id not in ids:
            for parent in self.steps:
                if any(b.id == step_id for b in parent.branches):
                    step_id = parent.id
                    break
        index = ids.index(step_id)
        return self.steps[index + 1] if index + 1 < len(self.steps) else None


def check_workflow(
    workflow: Workflow, *, roles: set[str], unit_kinds: set[str], levels: set[str]
) -> list[str]:
    """Every problem that would make a case get stuck, each naming the step."""
    problems: list[str] = []
    seen: set[str] = set()
    if not workflow.steps:
        return ["workflow.steps: a workflow needs at least one step"]
    if workflow.steps[0].kind != "accept":
        problems.append("workflow.steps[0]: the first step must be an 'accept' step")
    if not any(s.kind == "decide" or s.kind == "parallel" for s in workflow.steps):
        problems.append("workflow.steps: no 'decide' or 'parallel' step, no case could be decided")
    for index, step in enumerate(workflow.steps):
        where = f"workflow.steps[{index}] ({step.id})"
        problems += _check_step(step, where, roles, unit_kinds, levels, seen)
        if step.kind == "parallel":
            if len(step.branches) < 2:
                problems.append(f"{where}: a parallel step needs at least two branches")
            for b_index, branch in enumerate(step.branches):
                b_where = f"{where}.branches[{b_index}] ({branch.id})"
                if branch.kind not in ("review", "decide"):
                    problems.append(f"{b_where}: a branch must be a review or decide step")
                if branch.branches:
                    problems.append(f"{b_where}: branches cannot be nested")
                problems += _check_step(branch, b_where, roles, unit_kinds, levels, seen)
        elif step.branches:
            problems.append(f"{where}: only a parallel step may have branches")
    kinds = [s.kind for s in workflow.steps]
    for late, early in (("issue", "decide"), ("deliver", "issue")):
        if late in kinds and early in kinds and kinds.index(late) < kinds.index(early):
            problems.append(
                f"workflow.steps: the '{late}' step comes before '{early}' and can never be reached"
            )
    return problems


def _check_step(step, where, roles, unit_kinds, levels, seen) -> list[str]:
    problems = []
    if step.id in seen:
        problems.append(f"{where}: duplicate step id {step.id!r}")
    seen.add(step.id)
    if step.kind == "parallel":
        return problems
    if step.role not in roles:
        problems.append(f"{where}.role: unknown role {step.role!r}")
    if step.unit_kind not in unit_kinds:
        problems.append(f"{where}.unit_kind: unknown unit kind {step.unit_kind!r}")
    if step.level not in levels:
        problems.append(f"{where}.level: unknown level {step.level!r}")
    if step.days is not None and step.days < 0:
        problems.append(f"{where}.days: must not be negative")
    return problems
