"""A new user's way through the pages: from `/`, following only links (`<a href>`), each role reaches every page of
the workflow it may see (the findings, the complaints' pages, the inbox), reaches none it may not, and no page
answers with a server error. The world holds a published finding, a draft signed by one guarantor and a complaint
in 'needs information' (workflow_world.py)."""
from __future__ import annotations

from collections.abc import Iterator
from html.parser import HTMLParser
from urllib.parse import urljoin, urlsplit

import pytest
from fastapi.testclient import TestClient

from trucewatch.web.app import create_app

from .conftest import ROLES, World
from .workflow_world import Workflow, further_along

MAX_PAGES = 400  # the world is small; a crawl past this is going round in circles
NOT_PAGES = ("/api/", "/static/", "/openapi.json")  # data and files, not pages


@pytest.fixture(scope="module")
def flow(world: World, tmp_path_factory: pytest.TempPathFactory) -> Workflow:
    return further_along(world.copy(tmp_path_factory.mktemp("crawl")))


@pytest.fixture(scope="module")
def web(flow: Workflow) -> Iterator[TestClient]:
    with TestClient(create_app(flow.world.settings), follow_redirects=False) as client:
        yield client


class Links(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.found: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        href = dict(attrs).get("href")
        if tag == "a" and href:
            self.found.append(href)


def crawl(web: TestClient, headers: dict[str, str]) -> tuple[set[str], dict[str, int]]:
    """Every page path reached from `/` by links (query strings kept, fragments dropped), and the status of each
    answer that was not a success."""
    seen, todo, bad = {"/"}, ["/"], {}
    while todo and len(seen) < MAX_PAGES:
        here = todo.pop()
        answer = web.get(here, headers=headers)
        if answer.status_code != 200:
            bad[here] = answer.status_code
            continue
        parser = Links()
        parser.feed(answer.text)
        for href in parser.found:
            parts = urlsplit(urljoin("http://testserver" + here, href))
            if parts.netloc != "testserver" or parts.path.startswith(NOT_PAGES):
                continue
            path = parts.path + (f"?{parts.query}" if parts.query else "")
            if path not in seen:
                seen.add(path)
                todo.append(path)
    return seen, bad


def expected(flow: Workflow, role: str) -> tuple[set[str], set[str]]:
    """(pages the role must reach, pages it must not)."""
    w = flow.world
    published, draft = f"/findings/{w.findings['published']}", f"/findings/{flow.signed_draft}"
    pak, afg, asked = (f"/complaints/{c}" for c in (w.complaints["PAK"], w.complaints["AFG"], flow.asked))
    everyone = {"/findings", published, f"/incidents/{w.incidents[0]}", "/agreements/doha-2025-10-19"}
    complaints = {pak, afg, asked}
    reach = {
        "public": everyone,
        "analyst": everyone | {"/inbox"},
        "liaison PAK": everyone | {"/inbox", "/complaints", pak, asked},
        "liaison AFG": everyone | {"/inbox", "/complaints", afg},
        "monitor QAT": everyone | {"/inbox", "/complaints", draft} | complaints,
        "monitor TUR": everyone | {"/inbox", "/complaints", draft} | complaints,
        "admin": everyone | {"/inbox", "/complaints", draft} | complaints,
    }[role]
    return reach, ({draft, "/inbox"} | complaints) - reach


@pytest.mark.parametrize("role", ROLES)
def test_every_page_of_the_workflow_a_role_may_see_is_reached_by_links(web, flow: Workflow, role: str):
    seen, bad = crawl(web, flow.world.auth(role))
    reach, never = expected(flow, role)
    assert not {p: s for p, s in bad.items() if s >= 500}, bad
    assert reach <= seen, sorted(reach - seen)
    assert not (never & seen), sorted(never & seen)
    # a link the role follows is a page it may open; the public's sign-in link is the only one that sends it away
    assert {p: s for p, s in bad.items() if not p.startswith("/login")} == {}, bad
