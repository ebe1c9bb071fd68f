"""The durability stand-in's HTTP API: spaces, messages, archive, members, activity,
the keyed feeds (threads, DMs, announcements, alerts), the record and control
routes, and the middleware that injects the faults."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import Any

from aiohttp import web

from tests.durability.standin_state import FEEDS, UNPACED, Json, Workspace, json_error, required_key

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


def build_app(workspace: Workspace) -> web.Application:
    """Return the aiohttp application serving *workspace*."""
    app = web.Application(middlewares=[_faults_middleware(workspace)])
    routes = web.RouteTableDef()

    @routes.get("/health")
    async def health(request: web.Request) -> web.Response:
        return web.json_response({"ok": True})

    @routes.get("/record")
    async def record(request: web.Request) -> web.Response:
        calls = workspace.calls[int(request.query.get("since", 0)) :]
        return web.json_response({"calls": calls, "stats": dict(workspace.stats)})

    @routes.get("/record/wait")
    async def wait_for_call(request: web.Request) -> web.Response:
        await workspace.recorded(int(request.query["seq"]))
        return web.json_response({"ok": True})

    @routes.post("/control")
    async def control(request: web.Request) -> web.Response:
        return web.json_response(workspace.configure(await request.json()))

    @routes.post("/control/spaces")
    async def seed_spaces(request: web.Request) -> web.Response:
        made = [workspace.make_space(s, seeded=True) for s in (await request.json())["spaces"]]
        return web.json_response({"items": [s.as_json() for s in made]})

    @routes.get("/spaces")
    async def find_spaces(request: web.Request) -> web.Response:
        key = request.query.get("key")
        found = [s.as_json() for s in workspace.spaces.values() if s.key == key]
        return web.json_response({"items": found})

    @routes.post("/spaces")
    async def create_space(request: web.Request) -> web.Response:
        body = await request.json()
        return web.json_response(workspace.make_space(body).as_json(), status=201)

    @routes.get("/spaces/{space}/messages")
    async def find_messages(request: web.Request) -> web.Response:
        space, key = workspace.space(request), request.query.get("key")
        return web.json_response({"items": [m for m in space.messages if m["key"] == key]})

    @routes.post("/spaces/{space}/messages")
    async def post_message(request: web.Request) -> web.Response:
        space, body = workspace.space(request), await request.json()
        if space.archived:
            raise json_error(web.HTTPForbidden, f"space {space.id} is archived")
        message = {"id": f"{space.id}-m{len(space.messages) + 1}", "key": required_key(body)}
        space.messages.append({**message, **body["message"]})
        workspace.note("post", message["key"], space=space.id, id=message["id"])
        return web.json_response(message, status=201)

    @routes.post("/spaces/{space}/archive")
    async def archive(request: web.Request) -> web.Response:
        space = workspace.space(request)
        if not space.archived:
            space.archived = True
            workspace.note("archive", space.key, space=space.id)
        return web.json_response(space.as_json())

    @routes.delete("/spaces/{space}/members/{member}")
    async def remove_member(request: web.Request) -> web.Response:
        space, member = workspace.space(request), request.match_info["member"]
        if member in space.members:
            space.members.remove(member)
            workspace.note("remove_member", space.key, space=space.id, member=member)
        return web.json_response(space.as_json())

    @routes.get("/spaces/{space}/activity")
    async def activity(request: web.Request) -> web.Response:
        workspace.space(request)
        return web.json_response({"messages_by_member": {}, "last_message_at": None})

    for feed, op in FEEDS.items():
        _feed_routes(routes, workspace, feed, op)
    app.add_routes(routes)
    return app


def _feed_routes(routes: web.RouteTableDef, workspace: Workspace, feed: str, op: str) -> None:
    @routes.get(f"/{feed}")
    async def find(request: web.Request) -> web.Response:
        key = request.query.get("key")
        return web.json_response({"items": [r for r in workspace.feeds[feed] if r["key"] == key]})

    @routes.post(f"/{feed}")
    async def create(request: web.Request) -> web.Response:
        body = await request.json()
        key, made_id = required_key(body), f"{feed[0]}{len(workspace.feeds[feed]) + 1}"
        made: Json = {"id": made_id, "key": key, "url": f"standin://{feed}/{made_id}"}
        if feed == "dms":
            made["delivered"] = True
        workspace.feeds[feed].append({**body, **made})
        workspace.note(op, key, id=made_id)
        return web.json_response(made, status=201)


def _faults_middleware(workspace: Workspace) -> Any:
    @web.middleware
    async def faults(request: web.Request, handler: Handler) -> web.StreamResponse:
        if request.path.startswith(UNPACED):
            return await handler(request)
        workspace.stats["requests"] += 1
        retry_after = workspace.refusal()
        if retry_after is not None:
            return web.json_response(
                {"error": "rate limited", "retry_after": retry_after},
                status=429,
                headers={"Retry-After": f"{retry_after:g}"},
            )
        await asyncio.sleep(workspace.delay())
        calls_before = len(workspace.calls)
        response = await handler(request)
        # Recorded but not yet answered: a worker killed now never learns it worked.
        await asyncio.sleep(workspace.delay() + workspace.hold(calls_before))
        return response

    return faults
