"""Workflow declarations: the steps a case passes through, and their check.

A workflow is a straight line of top-level steps in a fixed order::

    accept → (review | parallel)* → decide? → issue? → deliver?

The *decision* is the ``decide`` step, or — when there is none — the last
``parallel`` step (a joint decision by several departments). A ``parallel``
step fans out to its ``branches`` and joins when all of them answer.

Beyond the ordinary actions of its kind, a step may allow the approval
actions Chinese approval systems offer (``allow``): 退回 ``return`` to an
earlier step, 转办 ``transfer`` to another unit, 委派 ``delegate`` to a
colleague, and on a countersign (会签) step 加签/减签 ``add_signer`` /
``remove_signer``. Anything not allowed is refused when a case asks for it.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Literal

import msgspec

StepKind = Literal["accept", "review", "decide", "issue", "deliver", "parallel"]
ApprovalAction = Literal["return", "transfer", "delegate", "add_signer", "remove_signer"]

# Kinds a case's decision can be taken at; review steps and joint reviews come before it.
_ORDER = {"accept": 0, "review": 1, "parallel": 1, "decide": 2, "issue": 3, "deliver": 4}


class Step(msgspec.Struct, kw_only=True, forbid_unknown_fields=True, frozen=True):
    """One step, handled by ``role`` at the ``unit_kind`` found at ``level``.

    The router resolves (unit_kind, level) from the filing unit up the tree,
    e.g. ``service_centre`` at ``township`` is the village's township window.
    A ``parallel`` step fans out to its ``branches`` and joins when all answer.

    ``days`` is the step's own time limit in working days (its light); a
    branch with ``silence_is_consent`` counts as approved once it is overdue,
    so it needs ``days``. ``countersign`` makes the step a 会签: every officer
    holding ``role`` at the unit signs (``all``), or the first one decides
    (``any``).
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
    allow: tuple[ApprovalAction, ...] = ()
    return_to: tuple[str, ...] = ()  # steps a return may go back to; empty = any earlier one
    transfer_kinds: tuple[str, ...] = ()  # unit kinds a transfer may go to; empty = unit_kind


class Workflow(msgspec.Struct, forbid_unknown_fields=True, frozen=True):
    steps: tuple[Step, ...]

    def walk(self) -> Iterator[Step]:
        for step in self.steps:
            yield step
            yield from step.branches

    def routed_steps(self) -> list[Step]:
        """The steps a unit takes: branches included, a parallel step itself not (it only
        fans out to its branches)."""
        return [s for s in self.walk() if not s.branches]

    def step(self, step_id: str) -> Step:
        for step in self.walk():
            if step.id == step_id:
                return step
        raise KeyError(step_id)

    def parent_of(self, step_id: str) -> Step | None:
        """The parallel step a branch belongs to; None for a top-level step."""
        for parent in self.steps:
            if any(b.id == step_id for b in parent.branches):
                return parent
        return None

    def top_level(self, step_id: str) -> Step:
        return self.parent_of(step_id) or self.step(step_id)

    def index(self, step_id: str) -> int:
        """Position of the step (a branch: of its parallel step) in the line."""
        top = self.top_level(step_id).id
        return [s.id for s in self.steps].index(top)

    def next_step(self, step_id: str) -> Step | None:
        """The top-level step after ``step_id`` (branches join back into their parent)."""
        index = self.index(step_id)
        return self.steps[index + 1] if index + 1 < len(self.steps) else None

    def decision_step(self) -> Step:
        """The step whose positive outcome approves the case."""
        decide = [s for s in self.steps if s.kind == "decide"]
        if decide:
            return decide[0]
        return [s for s in self.steps if s.kind == "parallel"][-1]

    def return_targets(self, step_id: str) -> list[Step]:
        """Earlier steps a case may be sent back to from ``step_id`` (never acceptance)."""
        step = self.step(step_id)
        if "return" not in step.allow:
            return []
        earlier = [s for s in self.steps[: self.index(step_id)] if s.kind != "accept"]
        if step.return_to:
            earlier = [s for s in earlier if s.id in step.return_to]
        return earlier


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
        if index > 0 and step.kind == "accept":
            problems.append(f"{where}: only the first step may be an 'accept' step")
        if step.kind == "parallel":
            if len(step.branches) < 2:
                problems.append(f"{where}: a parallel step needs at least two branches")
            for b_index, branch in enumerate(step.branches):
                b_where = f"{where}.branches[{b_index}] ({branch.id})"
                if branch.kind not in ("review", "decide"):
                    problems.append(f"{b_where}: a branch must be a review or decide step")
                if branch.branches:
                    problems.append(f"{b_where}: branches cannot be nested")
                if branch.countersign:
                    problems.append(f"{b_where}.countersign: a branch cannot be a countersign step")
                if "return" in branch.allow:
                    problems.append(f"{b_where}.allow: a branch cannot return the case")
                if branch.silence_is_consent and branch.days is None:
                    problems.append(
                        f"{b_where}.days: silence is consent only once a deadline passes; "
                        "give the branch its days"
                    )
                problems += _check_step(branch, b_where, roles, unit_kinds, levels, seen)
        elif step.branches:
            problems.append(f"{where}: only a parallel step may have branches")
        if step.silence_is_consent:
            problems.append(f"{where}.silence_is_consent: only a parallel branch may have it")
    problems += _check_order(workflow)
    for index, step in enumerate(workflow.steps):
        problems += _check_returns(workflow, step, f"workflow.steps[{index}] ({step.id})")
    return problems


def _check_order(workflow: Workflow) -> list[str]:
    problems = []
    kinds = [s.kind for s in workflow.steps]
    for late, early in (("issue", "decide"), ("deliver", "issue")):
        if late in kinds and early in kinds and kinds.index(late) < kinds.index(early):
            problems.append(
                f"workflow.steps: the '{late}' step comes before '{early}' and can never be reached"
            )
    for kind in ("decide", "issue", "deliver"):
        if kinds.count(kind) > 1:
            problems.append(f"workflow.steps: more than one '{kind}' step")
    ranks = [_ORDER[k] for k in kinds]
    for index in range(1, len(ranks)):
        reported = (kinds[index], kinds[index - 1]) in (("decide", "issue"), ("issue", "deliver"))
        if ranks[index] < ranks[index - 1] and not reported:
            step = workflow.steps[index]
            problems.append(
                f"workflow.steps[{index}] ({step.id}): a '{step.kind}' step cannot come after "
                f"a '{kinds[index - 1]}' step; the order is accept, review or parallel, decide, "
                "issue, deliver"
            )
    if kinds and kinds[-1] == "review":
        problems.append("workflow.steps: the last review is never followed by a decision")
    return problems


def _check_returns(workflow: Workflow, step: Step, where: str) -> list[str]:
    problems = []
    earlier = {s.id: s for s in workflow.steps[: workflow.steps.index(step)]}
    for target in step.return_to:
        if "return" not in step.allow:
            problems.append(f"{where}.return_to: set, but 'return' is not in allow")
            break
        if target not in earlier:
            problems.append(f"{where}.return_to: {target!r} is not an earlier step")
        elif earlier[target].kind == "accept":
            problems.append(
                f"{where}.return_to: {target!r} is the acceptance; an accepted case goes back "
                "for a supplement instead"
            )
    if "return" in step.allow and not [s for s in earlier.values() if s.kind != "accept"]:
        problems.append(f"{where}.allow: 'return' needs an earlier step other than acceptance")
    return problems


def _check_step(step, where, roles, unit_kinds, levels, seen) -> list[str]:
    problems = []
    if step.id in seen:
        problems.append(f"{where}: duplicate step id {step.id!r}")
    seen.add(step.id)
    if len(set(step.allow)) != len(step.allow):
        problems.append(f"{where}.allow: an action is listed twice")
    if step.kind == "parallel":
        if step.allow or step.countersign or step.role or step.days is not None:
            problems.append(
                f"{where}: a parallel step only groups its branches; put role, days, "
                "countersign and allowed actions on the branches"
            )
        return problems
    if step.role not in roles:
        problems.append(f"{where}.role: unknown role {step.role!r}")
    if step.unit_kind not in unit_kinds:
        problems.append(f"{where}.unit_kind: unknown unit kind {step.unit_kind!r}")
    if step.level not in levels:
        problems.append(f"{where}.level: unknown level {step.level!r}")
    if step.days is not None and step.days < 0:
        problems.append(f"{where}.days: must not be negative")
    if step.countersign and step.kind not in ("review", "decide"):
        problems.append(f"{where}.countersign: only a review or decide step can be countersigned")
    for action in ("add_signer", "remove_signer"):
        if action in step.allow and not step.countersign:
            problems.append(f"{where}.allow: {action!r} needs a countersign step")
    if "transfer" in step.allow and step.countersign:
        problems.append(
            f"{where}.allow: a countersign step cannot be transferred; add or remove signers"
        )
    for kind in step.transfer_kinds:
        if "transfer" not in step.allow:
            problems.append(f"{where}.transfer_kinds: set, but 'transfer' is not in allow")
            break
        if kind not in unit_kinds:
            problems.append(f"{where}.transfer_kinds: unknown unit kind {kind!r}")
    if step.kind in ("accept", "issue", "deliver") and "return" in step.allow:
        problems.append(f"{where}.allow: an '{step.kind}' step cannot return the case")
    return problems
