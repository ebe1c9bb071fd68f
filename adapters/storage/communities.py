"""The communities repository: a community and its settings, mapped to core.model."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from adapters.storage.common import unique_or_conflict
from adapters.storage.mapping import community_from_row as community_from_row
from adapters.storage.orm import (
    CommunityRow,
)
from core.errors import NotFound
from core.model import (
    Community,
    CommunitySettings,
    Platform,
)


def _settings_columns(settings: CommunitySettings) -> dict[str, object]:
    return {
        "organiser_roles": list(settings.organiser_roles),
        "default_language": settings.default_language,
        "pairing_rule": settings.pairing_rule.value,
        "country_cap": settings.country_cap,
        "channels": dict(settings.channels),
        "practices": {
            "contact": settings.practices.contact,
            "hours_per_month": str(settings.practices.hours_per_month),
            "guidance": settings.practices.guidance,
        },
    }


class SqlCommunityRepository:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def find(self, platform: Platform, external_id: str) -> Community | None:
        """Return the community a platform knows as *external_id*, if registered."""
        row = await self._session.scalar(
            select(CommunityRow).where(
                CommunityRow.platform == platform.value, CommunityRow.external_id == external_id
            )
        )
        return None if row is None else community_from_row(row)

    async def get(self, community_id: int) -> Community:
        """Return the community with id *community_id*."""
        return community_from_row(await self._row(community_id))

    async def add(
        self, platform: Platform, external_id: str, name: str, settings: CommunitySettings
    ) -> Community:
        """Register a community."""
        row = CommunityRow(
            platform=platform.value,
            external_id=external_id,
            name=name,
            **_settings_columns(settings),
        )
        async with unique_or_conflict(
            self._session,
            f"the {platform.value} community {external_id} is already registered: "
            "change its settings instead",
        ):
            self._session.add(row)
        return community_from_row(row)

    async def update_settings(self, community_id: int, settings: CommunitySettings) -> None:
        """Replace the settings of a community."""
        row = await self._row(community_id)
        for column, value in _settings_columns(settings).items():
            setattr(row, column, value)
        await self._session.flush()

    async def list_all(self) -> list[Community]:
        """Return every community of the deployment, by platform then id."""
        rows = await self._session.scalars(
            select(CommunityRow).order_by(CommunityRow.platform, CommunityRow.id)
        )
        return [community_from_row(row) for row in rows]

    async def _row(self, community_id: int) -> CommunityRow:
        row = await self._session.get(CommunityRow, community_id)
        if row is None:
            raise NotFound(f"there is no community with id {community_id}: check the id")
        return row
