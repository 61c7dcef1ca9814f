"""Our own company, the first of the "three Cs": what we sell, which client metrics each
product moves and by how much, our proof points and our competitors.

The profile lives in the workspace, in `seller.toml` beside `dossier.toml` (or a `[seller]`
table inside `dossier.toml`). A brief maps the client's KPIs to our products with it and states
outcomes in the client's terms; without it the brief says what it cannot do.

```toml
[seller]
company = "Brightpath Commerce"
competitors = ["Cartwise"]

[[seller.products]]
name = "Brightpath Checkout"
description = "One-page mobile checkout with wallet payments."

[[seller.products.moves]]
kpi = "mobile checkout conversion"
aliases = ["mobile conversion", "checkout conversion"]
increase = [0.3, 0.8]        # our typical impact on the KPI, low and high
unit = "points"              # points | percent | days | hours | ...
value_percent = [0.5, 1.0]   # what that is worth, as a share of the client's...
value_of = "revenue"         # ...revenue (or costs)
within = "two quarters of go-live"

[[seller.proof_points]]
title = "Home-goods retailer"
text = "A home-goods retailer raised mobile conversion from 1.7% to 2.3% in two quarters."
product = "Brightpath Checkout"
shareable = true
```
"""

from __future__ import annotations

import re
import tomllib
from pathlib import Path
from typing import Literal, NamedTuple

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from agent.config import CONFIG_FILE, Settings
from agent.errors import ConfigError

NO_SELLER = (
    "No seller profile in this workspace, so this brief cannot map the client's KPIs to our "
    "products, state outcomes in our typical impact or estimate their value in money; add "
    "seller.toml beside dossier.toml (`dossier seller check` tells what it needs)."
)


SELLER_FILE = "seller.toml"
ValueBase = Literal["revenue", "costs"]


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid")


class Move(_Model):
    """One client metric a product moves, with our typical impact on it."""

    kpi: str = Field(min_length=1, description="The metric as clients usually name it.")
    aliases: list[str] = Field(default_factory=list, description="Other names clients use.")
    increase: tuple[float, float] = Field(description="Typical impact on the KPI, low and high.")
    unit: str = Field("percent", min_length=1, description="points, percent, days, hours...")
    direction: Literal["increase", "reduce"] = "increase"
    value_percent: tuple[float, float] | None = Field(
        None, description="What the impact is worth, as a share of the client's `value_of`."
    )
    value_of: ValueBase = "revenue"
    within: str = Field("two quarters", description="Typical time to the impact.")

    @model_validator(mode="after")
    def _ordered(self) -> Move:
        for pair in (self.increase, self.value_percent):
            if pair is not None and not 0 <= pair[0] <= pair[1]:
                raise ValueError(f"{self.kpi}: ranges are written [low, high], both >= 0")
        return self

    def names(self) -> list[str]:
        """The KPI and its aliases."""
        return [self.kpi, *self.aliases]

    def impact(self) -> str:
        """Our typical impact, e.g. '0.3–0.8 points'."""
        low, high = self.increase
        unit = "%" if self.unit == "percent" else f" {self.unit}"
        span = f"{_num(low)}" if low == high else f"{_num(low)}–{_num(high)}"
        return f"{span}{unit}"


class Product(_Model):
    """Something we sell and the client metrics it moves."""

    name: str = Field(min_length=1)
    description: str = ""
    moves: list[Move] = Field(default_factory=list)


class ProofPoint(_Model):
    """A case study or result of ours; only a shareable one may be said to a customer."""

    title: str = Field(min_length=1)
    text: str = Field(min_length=1)
    product: str | None = None
    shareable: bool = Field(False, description="False (the default) keeps it for the CSM only.")


class SellerProfile(_Model):
    """What we sell, what it moves, our proof and our competitors."""

    company: str = Field(min_length=1)
    summary: str = ""
    products: list[Product] = Field(default_factory=list)
    proof_points: list[ProofPoint] = Field(default_factory=list)
    competitors: list[str] = Field(default_factory=list)

    def moves(self) -> list[tuple[Product, Move]]:
        """Every (product, move) pair."""
        return [(p, m) for p in self.products for m in p.moves]

    def proof_for(self, product: str, shareable: bool = True) -> list[ProofPoint]:
        """Our proof points about a product (only the shareable ones unless told otherwise)."""
        return [
            p
            for p in self.proof_points
            if (p.product in (None, product)) and (p.shareable or not shareable)
        ]


def profile_path(settings: Settings) -> Path | None:
    """Where the workspace's seller profile is, if it has one."""
    own = settings.home / SELLER_FILE
    if own.is_file():
        return own
    config = settings.home / CONFIG_FILE
    if config.is_file() and "seller" in _toml(config):
        return config
    return None


def load_seller(settings: Settings) -> SellerProfile | None:
    """The workspace's seller profile, None when it has none; a broken one is a ConfigError."""
    path = profile_path(settings)
    if path is None:
        return None
    data = _toml(path)
    section = data.get("seller", data if path.name == SELLER_FILE else None)
    if not isinstance(section, dict):
        raise ConfigError(f"{path}: no [seller] table")
    try:
        return SellerProfile.model_validate(section)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first["loc"]) or "seller"
        raise ConfigError(f"{path}: {where}: {first['msg']}") from None


class Finding(NamedTuple):
    """One thing `check` found: an error keeps the profile from working, a note limits it."""

    severity: Literal["error", "note"]
    text: str


def check(profile: SellerProfile) -> list[Finding]:
    """What keeps the profile from doing its job (errors) or limits it (notes)."""
    found = []
    if not profile.products:
        found.append(Finding("error", "no products: a brief cannot map the client's KPIs"))
    for product in profile.products:
        if not product.moves:
            found.append(Finding("error", f"{product.name}: no moves (which KPI does it move?)"))
        for move in product.moves:
            if move.value_percent is None:
                note = f"{product.name} / {move.kpi}: no value_percent, so no estimate in money"
                found.append(Finding("note", note))
    names = {p.name for p in profile.products}
    for proof in profile.proof_points:
        if proof.product and proof.product not in names:
            found.append(
                Finding("error", f"proof point {proof.title!r}: unknown product {proof.product!r}")
            )
    if not any(p.shareable for p in profile.proof_points):
        found.append(Finding("note", "no shareable proof point: messages cite no result of ours"))
    return found


def internal_proof_texts(profile: SellerProfile | None) -> list[str]:
    """The texts of our proof points that are not shareable: never in a customer message."""
    if profile is None:
        return []
    return [p.text for p in profile.proof_points if not p.shareable]


def _toml(path: Path) -> dict[str, object]:
    try:
        return tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{path}: {' '.join(str(exc).split())}") from None


def _num(value: float) -> str:
    return re.sub(r"\.0$", "", f"{value:g}")
