"""The expert draw (专家随机抽取), algorithm ``draw-v1``.

Pure function of (recorded candidate pool, request, seed): the endpoint records all three, and
``GET /api/v1/expert-draws/{id}/verify`` calls :func:`verify` on them years later.

Method, exactly (changing any step needs a new :data:`ALGORITHM_VERSION`):

1. Sort the pool by ``expert_id`` (Python string order, i.e. by code point), so the order in
   which the database returned candidates never matters. Duplicate ids are refused.
2. Judge every candidate; a candidate is excluded for *each* of these that holds (回避):
   not ``active``; no field in common with the requested fields; employed by the decision body,
   by the implementing unit, or by an organisation in ``avoid_org_ids``; already drawn for this
   project; outside the requested region (only when the request names one).
3. If fewer candidates remain than ``count``, raise :class:`NotEnoughEligibleExperts`.
4. Load balance: group the eligible candidates into tiers by ``draws_this_year`` (as recorded in
   the pool: the expert's accepted draws this year, a declined draw not counted), ascending.
   Walking the tiers from the least-drawn, take the whole tier when it is not larger than the
   number still needed, otherwise choose the needed number uniformly at random within it. So
   nobody is drawn while a less-drawn eligible expert is left out, and within a tier every
   expert has the same chance.
5. Randomness: ``rng = random.Random(seed)``; within a tier (in expert_id order) a partial
   Fisher-Yates shuffle picks position ``i + floor(rng.random() * (n - i))`` for each
   ``i < k``. Only ``Random.random()`` is used because it is the one output whose sequence
   Python promises to keep across versions for a given seed (``sample``/``shuffle`` may change).
   The tiers consume the same generator in ascending order, so the whole draw is one stream.
6. The chosen ids come out in draw order (tier by tier, pick by pick).
"""

from __future__ import annotations

import secrets
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from enum import StrEnum
from itertools import groupby, pairwise
from random import Random
from typing import Annotated, Final

from pydantic import BaseModel, ConfigDict, Field

from wenping_shared.contracts.vocab import ExpertField, ExpertStatus

ALGORITHM_VERSION: Final = "draw-v1"

#: Seeds are stored in a signed 64-bit column, hence the bound.
SEED_MAX: Final = 2**63 - 1

Seed = Annotated[int, Field(ge=0, le=SEED_MAX)]


class ExclusionReason(StrEnum):
    inactive = "inactive"
    field_mismatch = "field_mismatch"
    employer_is_decision_body = "employer_is_decision_body"
    employer_is_implementing_unit = "employer_is_implementing_unit"
    employer_avoided = "employer_avoided"
    already_drawn_for_project = "already_drawn_for_project"
    outside_region = "outside_region"


EXCLUSION_LABELS: Final[Mapping[ExclusionReason, str]] = {
    ExclusionReason.inactive: "非在库状态（暂停或退出）",
    ExclusionReason.field_mismatch: "专业领域不符",
    ExclusionReason.employer_is_decision_body: "与决策主体同一单位（回避）",
    ExclusionReason.employer_is_implementing_unit: "与项目实施单位同一单位（回避）",
    ExclusionReason.employer_avoided: "所在单位在回避名单中",
    ExclusionReason.already_drawn_for_project: "已参与过本项目抽取（回避）",
    ExclusionReason.outside_region: "不在抽取地区范围内",
}


class DrawCandidate(BaseModel):
    """One expert as recorded in the pool at the moment of the draw."""

    model_config = ConfigDict(frozen=True)

    expert_id: str = Field(min_length=1)
    name: str
    fields: frozenset[ExpertField]
    employer_org_id: str | None = None
    #: The employer as the expert record names it, also when it is no registry organisation
    #: (then avoidance by organisation cannot apply, and the record shows that). Informative
    #: only: no step of the method reads it, so pools recorded without it verify unchanged.
    employer_name: str | None = None
    status: ExpertStatus
    region_code: str = Field(pattern=r"^\d{6}$")
    draws_this_year: int = Field(ge=0)
    previously_drawn_for_project: bool = False


class DrawRequest(BaseModel):
    """What was asked for. ``region_code`` (optional) limits the draw to that region's subtree."""

    model_config = ConfigDict(frozen=True)

    fields: frozenset[ExpertField] = Field(min_length=1)
    count: int = Field(ge=1, le=100)
    avoid_org_ids: frozenset[str] = frozenset()
    decision_body_org_id: str | None = None
    implementing_org_id: str | None = None
    region_code: str | None = Field(default=None, pattern=r"^\d{6}$")


class CandidateExclusion(BaseModel):
    model_config = ConfigDict(frozen=True)

    expert_id: str
    reasons: tuple[ExclusionReason, ...]


class ExpertDrawResult(BaseModel):
    """The outcome of one draw; everything :func:`verify` needs besides the pool and request."""

    model_config = ConfigDict(frozen=True)

    algorithm_version: str = ALGORITHM_VERSION
    seed: Seed
    chosen_expert_ids: tuple[str, ...]
    eligible_count: int
    exclusions: tuple[CandidateExclusion, ...]
    """Excluded candidates only, in expert_id order, each with every reason that applies."""

    @property
    def exclusion_counts(self) -> dict[ExclusionReason, int]:
        return _count_reasons(self.exclusions)


class InvalidCandidatePool(ValueError):
    """The pool itself is malformed (duplicate expert ids): a bug upstream, not a user error."""


class UnsupportedAlgorithmVersion(ValueError):
    """A recorded draw made by an algorithm version this code cannot re-run."""

    def __init__(self, version: str) -> None:
        self.version = version
        super().__init__(f"无法复核：不支持的抽取算法版本 {version}（当前为 {ALGORITHM_VERSION}）")


class NotEnoughEligibleExperts(Exception):
    """Fewer eligible experts than requested; the endpoint answers 409 with these numbers.

    ``exclusion_counts`` counts a candidate under every reason that applies to it, so the
    numbers may add up to more than ``excluded_count`` (the distinct excluded candidates).
    """

    def __init__(
        self,
        *,
        requested: int,
        eligible_count: int,
        pool_size: int,
        exclusion_counts: Mapping[ExclusionReason, int],
    ) -> None:
        self.requested = requested
        self.eligible_count = eligible_count
        self.pool_size = pool_size
        self.excluded_count = pool_size - eligible_count
        self.exclusion_counts = dict(exclusion_counts)
        super().__init__(self.message)

    @property
    def exclusion_counts_by_label(self) -> dict[str, int]:
        """Chinese label -> count, in the order of :class:`ExclusionReason`."""
        return {
            EXCLUSION_LABELS[reason]: self.exclusion_counts[reason]
            for reason in ExclusionReason
            if self.exclusion_counts.get(reason)
        }

    @property
    def message(self) -> str:
        detail = "；".join(f"{label} {n} 人" for label, n in self.exclusion_counts_by_label.items())
        text = f"符合条件的专家只有 {self.eligible_count} 人，需要抽取 {self.requested} 人"
        return (
            f"{text}（候选 {self.pool_size} 人，排除：{detail}）" if detail else f"{text}（候选 {self.pool_size} 人）"
        )


def new_seed() -> int:
    """A fresh unpredictable seed for a draw whose request did not name one."""
    return secrets.randbelow(SEED_MAX + 1)


def region_covers(region_code: str, candidate_region: str) -> bool:
    """Whether ``candidate_region`` is ``region_code`` or below it in the GB/T 2260 tree."""
    if region_code.endswith("0000"):
        return candidate_region[:2] == region_code[:2]
    if region_code.endswith("00"):
        return candidate_region[:4] == region_code[:4]
    return candidate_region == region_code


def exclusion_reasons(candidate: DrawCandidate, request: DrawRequest) -> tuple[ExclusionReason, ...]:
    """Every reason this candidate may not be drawn for this request (empty: eligible)."""
    reasons: list[ExclusionReason] = []
    if candidate.status is not ExpertStatus.active:
        reasons.append(ExclusionReason.inactive)
    if not candidate.fields & request.fields:
        reasons.append(ExclusionReason.field_mismatch)
    employer = candidate.employer_org_id
    if employer is not None:
        if employer == request.decision_body_org_id:
            reasons.append(ExclusionReason.employer_is_decision_body)
        if employer == request.implementing_org_id:
            reasons.append(ExclusionReason.employer_is_implementing_unit)
        if employer in request.avoid_org_ids:
            reasons.append(ExclusionReason.employer_avoided)
    if candidate.previously_drawn_for_project:
        reasons.append(ExclusionReason.already_drawn_for_project)
    if request.region_code is not None and not region_covers(request.region_code, candidate.region_code):
        reasons.append(ExclusionReason.outside_region)
    return tuple(reasons)


def draw_experts(pool: Iterable[DrawCandidate], request: DrawRequest, seed: int) -> ExpertDrawResult:
    """Run draw-v1 (see the module docstring). Raises :class:`NotEnoughEligibleExperts`."""
    if not 0 <= seed <= SEED_MAX:
        raise ValueError(f"随机种子须在 0 到 {SEED_MAX} 之间")
    ordered = _canonical(pool)

    eligible: list[DrawCandidate] = []
    exclusions: list[CandidateExclusion] = []
    for candidate in ordered:
        reasons = exclusion_reasons(candidate, request)
        if reasons:
            exclusions.append(CandidateExclusion(expert_id=candidate.expert_id, reasons=reasons))
        else:
            eligible.append(candidate)

    if len(eligible) < request.count:
        raise NotEnoughEligibleExperts(
            requested=request.count,
            eligible_count=len(eligible),
            pool_size=len(ordered),
            exclusion_counts=_count_reasons(exclusions),
        )

    # Reproducible from the recorded seed (which new_seed() draws with secrets): bandit B311 justified.
    rng = Random(seed)  # nosec B311
    chosen: list[str] = []
    # sorted() is stable, so each tier keeps expert_id order: the shuffle input is canonical.
    by_load = sorted(eligible, key=lambda c: c.draws_this_year)
    for _, tier_iter in groupby(by_load, key=lambda c: c.draws_this_year):
        needed = request.count - len(chosen)
        if needed == 0:
            break
        tier = [c.expert_id for c in tier_iter]
        chosen.extend(_pick(rng, tier, min(needed, len(tier))))

    return ExpertDrawResult(
        seed=seed,
        chosen_expert_ids=tuple(chosen),
        eligible_count=len(eligible),
        exclusions=tuple(exclusions),
    )


def verify(
    recorded_pool: Iterable[DrawCandidate],
    request: DrawRequest,
    seed: int,
    recorded_result: ExpertDrawResult | Sequence[str],
) -> bool:
    """Re-run the draw on the recorded pool and seed; True when the same experts come out in
    the same order. A recorded list of ids is compared the same way.

    Raises :class:`UnsupportedAlgorithmVersion` for a result recorded by another version: that
    is "cannot check", not "does not match".
    """
    if isinstance(recorded_result, ExpertDrawResult):
        if recorded_result.algorithm_version != ALGORITHM_VERSION:
            raise UnsupportedAlgorithmVersion(recorded_result.algorithm_version)
        if recorded_result.seed != seed:
            return False
        expected = tuple(recorded_result.chosen_expert_ids)
    else:
        expected = tuple(recorded_result)
    try:
        rerun = draw_experts(recorded_pool, request, seed)
    except NotEnoughEligibleExperts:
        return False
    return rerun.chosen_expert_ids == expected


def _canonical(pool: Iterable[DrawCandidate]) -> list[DrawCandidate]:
    ordered = sorted(pool, key=lambda c: c.expert_id)
    dupes = sorted({a.expert_id for a, b in pairwise(ordered) if a.expert_id == b.expert_id})
    if dupes:
        raise InvalidCandidatePool(f"候选名单中专家重复：{'、'.join(dupes)}")
    return ordered


def _pick(rng: Random, items: list[str], k: int) -> list[str]:
    # Partial Fisher-Yates driven only by rng.random() (see module docstring, step 5).
    items = list(items)
    n = len(items)
    for i in range(k):
        # min() guards the float product against ever rounding up to n - i.
        j = i + min(int(rng.random() * (n - i)), n - i - 1)
        items[i], items[j] = items[j], items[i]
    return items[:k]


def _count_reasons(exclusions: Iterable[CandidateExclusion]) -> dict[ExclusionReason, int]:
    counts = Counter(reason for e in exclusions for reason in e.reasons)
    return {reason: counts[reason] for reason in ExclusionReason if counts[reason]}
