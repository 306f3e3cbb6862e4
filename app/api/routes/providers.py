"""/v1/providers: the catalog in effect, every fact with its evidence."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter

from app.api.deps import PrincipalDep, ServiceDep
from app.api.errors import documented

router = APIRouter(prefix="/v1/providers", tags=["providers"])


_EXAMPLE = {
    "origins": ["providers/catalog.yaml"],
    "providers": [
        {
            "id": "local",
            "vendor": "reelroute",
            "configured": True,
            "headquarters": {"value": "n/a", "basis": "primary", "source": "…", "as_of": "…"},
            "models": {"local-motion-1": {"price_per_second_usd": {"value": 0.0}}},
            "sourcing": {"allegations": []},
        }
    ],
}


@router.get(
    "",
    responses={200: {"content": {"application/json": {"example": _EXAMPLE}}}, **documented(401)},
)
async def list_providers(service: ServiceDep, principal: PrincipalDep) -> dict[str, Any]:
    """Each provider's models, capabilities, prices and sourcing facts (`{value, basis,
    source, as_of}`), and whether this deployment has it configured."""
    configured = service.registry.configured()
    return {
        "origins": list(service.catalog.origins),
        "providers": [
            {**p.model_dump(mode="json"), "configured": p.id in configured}
            for p in service.catalog.profiles
        ],
    }
