"""`penpals community delete REF`: remove a community and all its data, after confirmation.

An uninstall from Slack (app_uninstalled, tokens_revoked), or a bot removed from a
Discord server, stops work there and keeps the data; this command is how an
organiser of the deployment deletes it for good. The community is named
explicitly (never taken from PENPALS_COMMUNITY) and the command shows what it will
delete, then asks to type the reference again, unless --yes is given.
"""

from __future__ import annotations

from typing import Annotated

import typer

from bots.cli_common import check_database_exists, fail, out, run, settings
from core.communities.service import parse_ref


def community_delete(
    ref: Annotated[str, typer.Argument(help="The community, e.g. slack:T0123ABCD or discord:1234")],
    yes: Annotated[
        bool, typer.Option("--yes", help="Delete without asking (scripts); nothing is kept")
    ] = False,
) -> None:
    """Delete a community with its rounds, members, applications, surveys and tokens."""
    cfg = settings()
    platform, external = parse_ref(ref)
    check_database_exists(cfg.database_url)

    async def counts() -> tuple[object, dict[str, int]]:
        from adapters.storage.deletion import community_counts
        from bots.bootstrap import build

        async with build(cfg) as services:
            community = await services.communities.get(platform, external)
            return community, await community_counts(services.engine, community)

    community, found = run(counts())  # an unknown community: one sentence, exit 1
    summary = ", ".join(f"{n} {table}" for table, n in found.items())
    out.print(f"{ref} ({getattr(community, 'name', '')}): {summary}", markup=False)
    if not yes:
        typed = typer.prompt(
            f"This deletes all of it for good. Type {ref} to confirm",
            default="",
            show_default=False,
        )
        if typed.strip() != ref:
            raise fail("not confirmed: nothing was deleted")

    async def delete() -> dict[str, int]:
        from adapters.storage.deletion import delete_community
        from bots.bootstrap import build

        async with build(cfg) as services:
            target = await services.communities.get(platform, external)
            return await delete_community(services.engine, target)

    removed = run(delete())
    out.print(f"Deleted {ref}: {sum(removed.values())} rows.", markup=False)
