"""Who sees which page: the header's navigation per role, in one list.

A page's route checks its roles with `app.web.auth.page_for`; this list only decides what the
header offers, so the two name the same roles (each section's routes module exports them).
"""

from __future__ import annotations

from dataclasses import dataclass

from app.store.keys import Role

CREATORS = (Role.CREATOR, Role.AGENCY_ADMIN)  # may plan and render (the API's WRITERS)


@dataclass(frozen=True)
class NavItem:
    label: str
    href: str
    roles: tuple[Role, ...]
    summary: str = ""  # one line on the home page


NAV: list[NavItem] = [
    NavItem("New video", "/new", CREATORS, "Plan a video from a script, a blog post or a prompt."),
    NavItem("Renders", "/renders", CREATORS, "Your videos: progress, players, downloads, costs."),
]


def nav_for(role: Role) -> list[NavItem]:
    return [item for item in NAV if role in item.roles]


ROLE_LABELS = {
    Role.CREATOR: "Creator",
    Role.AGENCY_ADMIN: "Agency admin",
    Role.AUDITOR: "Auditor",
}
