"""Soft preferences: among eligible models, which should make the scene?

`score` returns a `Score` whose `total` is the sum of its weighted `parts`, so a decision can
show why one model beat another:

    fitness          editorial fitness for the scene kind (provider score + model adjustment,
                     0..1) x weight
    unfit            UNFIT_PENALTY when that fitness is below UNFIT_BELOW (e.g. the procedural
                     renderer for a talking head), so a cheap but unsuitable model does not win
                     under `sort: price`; still soft: it wins when nothing else is eligible
    price            1 / (1 + price_per_second / PRICE_REF_USD) x weight  (unknown -> 0.5)
    latency          1 / (1 + typical_latency_s / LATENCY_REF_S) x weight (unknown -> 0.5)
    order            ORDER_STEP x (n - position) for providers listed in `order`, else 0
    reference_image  REFERENCE_PENALTY when the scene has an image the model cannot use

Weights depend on `sort` (the OpenRouter name for "what matters most"). ORDER_STEP exceeds the
largest possible gap between the other parts, so `order` is honoured exactly, like OpenRouter's, and
unlisted providers rank after listed ones.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from providers.profile import UNKNOWN, ModelProfile, ProviderProfile
from routing.policy import SceneRules, SortKey
from routing.scene import SceneSpec

PRICE_REF_USD = 0.10  # a price of $0.10/s scores 0.5 before weighting
LATENCY_REF_S = 60.0  # a one-minute turnaround scores 0.5 before weighting
UNKNOWN_NEUTRAL = 0.5  # unknown price/latency: neither rewarded nor punished
REFERENCE_PENALTY = -0.5
UNFIT_BELOW = 0.3
UNFIT_PENALTY = -1.0
ORDER_STEP = 4.0  # > any possible gap between the other parts (< 3.0)

# (fitness, price, latency) weights per sort key.
WEIGHTS: Mapping[SortKey, tuple[float, float, float]] = {
    SortKey.QUALITY: (1.0, 0.25, 0.15),
    SortKey.PRICE: (0.35, 1.0, 0.15),
    SortKey.LATENCY: (0.35, 0.25, 1.0),
}


@dataclass(frozen=True)
class Score:
    total: float
    parts: dict[str, float] = field(default_factory=dict)

    def to_dict(self) -> dict[str, object]:
        return {"total": self.total, "parts": dict(sorted(self.parts.items()))}


def score(
    profile: ProviderProfile, model: ModelProfile, scene: SceneSpec, rules: SceneRules
) -> Score:
    """The soft-preference score of an (eligible) model for `scene`; higher is better."""
    w_fit, w_price, w_latency = WEIGHTS[rules.sort]
    fitness = model.fitness(profile, scene.kind)
    parts = {
        "fitness": w_fit * fitness,
        "unfit": UNFIT_PENALTY if fitness < UNFIT_BELOW else 0.0,
        "price": w_price * _price_value(model),
        "latency": w_latency * _latency_value(model),
        "order": _order_bonus(profile.id, rules.order),
        "reference_image": _reference_penalty(model, scene),
    }
    parts = {k: round(v, 6) for k, v in parts.items()}
    return Score(total=round(sum(parts.values()), 6), parts=parts)


def _price_value(model: ModelProfile) -> float:
    price = model.price_per_second_usd.value
    return UNKNOWN_NEUTRAL if price == UNKNOWN else 1.0 / (1.0 + price / PRICE_REF_USD)


def _latency_value(model: ModelProfile) -> float:
    latency = model.typical_latency_s
    return UNKNOWN_NEUTRAL if latency == UNKNOWN else 1.0 / (1.0 + latency / LATENCY_REF_S)


def _order_bonus(provider_id: str, order: tuple[str, ...]) -> float:
    if provider_id not in order:
        return 0.0
    return ORDER_STEP * (len(order) - order.index(provider_id))


def _reference_penalty(model: ModelProfile, scene: SceneSpec) -> float:
    # Not a hard rule: a text-only model can still make the scene, it just ignores the image.
    return REFERENCE_PENALTY if scene.has_reference_image and not model.image_to_video else 0.0
