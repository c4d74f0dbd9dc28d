"""Who may do what: one table of rules and one function, `decide`, that reads it. Deny by default.

Pure: no I/O, no web framework. Every route of the web app names the resource kind and action it serves and goes
through `decide` (see `trucewatch.web.app.GuardedRoute`); the objects it returns go through `decide` one by one, and
listings ask `visible_parties`, which asks `decide`. Pages, the API and exports share these rules; docs/web.md shows
the table for people.

A **resource** is a kind of thing (`incident`, `complaint` ...), with whose it is (`party`, for complaints and their
evidence) and whether it is part of the published record. Actions: `list` (reach the collection at all: the check a
route makes before it knows which object), `read` (one object), `create`, `update`, `delete`.

The published record: reports (metadata; the text to signed-in users only, as outlets' copyright allows), events,
incidents, agreements and compliance. Anything not published (none yet: a deployment setting, or the findings
monitors will draft, will make some) is for admins and monitors only. Complaints and their evidence are private to
their party's liaison officers, the monitors and the admins. Incident overrides are for monitors and admins.

The parties a liaison officer may speak for are the conflict's (`Conflict.party_codes`, from the actor dictionary's
[[side]] table): the app builds each identity with them (`Identity.of(user, parties)`); an identity built without
them reads the shipped data's.
"""
from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from trucewatch.conflict import known_parties
from trucewatch.records import GUARANTOR_CODES, USER_ROLES, User

ROLES = (*USER_ROLES, "public")
ACTIONS = ("list", "read", "create", "update", "delete")
STAFF = ("admin", "monitor")


@dataclass(frozen=True, slots=True)
class Identity:
    """Who is asking: a signed-in user's role and binding, or the public."""

    role: str = "public"
    name: str | None = None
    party: str | None = None  # liaison officers
    guarantor: str | None = None  # guarantor monitors
    user_id: int | None = None
    parties: tuple[str, ...] | None = None  # the conflict's parties (None: the shipped data's)

    @property
    def signed_in(self) -> bool:
        return self.role != "public"

    @property
    def known_parties(self) -> tuple[str, ...]:
        """The parties a liaison officer may speak for in this identity's conflict."""
        return known_parties(self.parties)

    @classmethod
    def of(cls, user: User, parties: Sequence[str] | None = None) -> Identity:
        return cls(role=user.role, name=user.name, party=user.party, guarantor=user.guarantor, user_id=user.user_id,
                   parties=tuple(parties) if parties is not None else None)


PUBLIC = Identity()


@dataclass(frozen=True, slots=True)
class Resource:
    """What is asked for: a kind, whose it is (a party code), and whether it is in the published record."""

    kind: str
    party: str | None = None
    published: bool = True


Rule = Callable[[Identity, Resource], bool]


def anyone(_i: Identity, _r: Resource) -> bool:
    return True


def signed_in(i: Identity, _r: Resource) -> bool:
    return i.role in USER_ROLES


def roles(*names: str) -> Rule:
    def rule(i: Identity, _r: Resource) -> bool:
        return i.role in names
    return rule


def published_or(*names: str) -> Rule:
    """Anyone may see it once published; before that, only `names`."""
    def rule(i: Identity, r: Resource) -> bool:
        return r.published or i.role in names
    return rule


def signed_in_and_published_or(*names: str) -> Rule:
    def rule(i: Identity, r: Resource) -> bool:
        return i.role in names or (signed_in(i, r) and r.published)
    return rule


def own_party_or(*names: str) -> Rule:
    """`names`, or a liaison officer of the party whose it is. For a collection (no party given), every liaison
    officer: the objects are then checked one by one."""
    def rule(i: Identity, r: Resource) -> bool:
        if i.role in names:
            return True
        return _liaison(i) and (r.party is None or r.party == i.party)
    return rule


def own_party_object_or(*names: str) -> Rule:
    """Like `own_party_or`, for one object: it must be of the liaison officer's own party."""
    def rule(i: Identity, r: Resource) -> bool:
        return i.role in names or (_liaison(i) and r.party == i.party)
    return rule


def liaison_for_own_party(i: Identity, r: Resource) -> bool:
    """Only a liaison officer files for a party, and only for their own."""
    return _liaison(i) and r.party in (None, i.party)


def _liaison(i: Identity) -> bool:
    return i.role == "liaison" and i.party in i.known_parties


_RECORD = published_or(*STAFF)

RULES: dict[tuple[str, str], Rule] = {
    # the published record
    ("report", "list"): _RECORD,
    ("report", "read"): _RECORD,
    ("report_text", "read"): signed_in_and_published_or(*STAFF),
    ("event", "list"): _RECORD,
    ("event", "read"): _RECORD,
    ("incident", "list"): _RECORD,
    ("incident", "read"): _RECORD,
    ("agreement", "list"): _RECORD,
    ("agreement", "read"): _RECORD,
    ("compliance", "read"): _RECORD,
    ("events_export", "read"): _RECORD,
    # monitors' work on the record
    ("override", "create"): roles(*STAFF),
    # complaints: private to their party, the monitors and the admins
    ("complaint", "create"): liaison_for_own_party,
    ("complaint", "list"): own_party_or(*STAFF),
    ("complaint", "read"): own_party_object_or(*STAFF),
    ("evidence", "read"): own_party_object_or(*STAFF),
    # the workplace itself
    ("page", "read"): anyone,
    ("asset", "read"): anyone,  # the pages' scripts and styles, the map's outlines
    ("api_description", "read"): anyone,
    ("session", "create"): anyone,  # signing in
    ("session", "delete"): signed_in,  # signing out
    ("me", "read"): signed_in,
    ("alert_rule", "create"): signed_in,  # a user's own alert rules (the job adds and removes only the caller's)
    ("alert_rule", "delete"): signed_in,
    # the sources the watch polls (docs/live.md): the deployment's, run by its admins
    ("source", "list"): roles("admin"),
    ("source", "create"): roles("admin"),
    ("source", "update"): roles("admin"),
    # verification (docs/findings.md): findings are drafted, signed and published by guarantor monitors only (admins
    # run the deployment and make no verification decisions); a published finding is for everyone, a draft for
    # monitors and admins; a complaint's transitions are checked against trucewatch.casework.workflow as well
    ("finding", "list"): anyone,  # each finding then checked with ("finding", "read")
    ("finding", "read"): published_or(*STAFF),
    ("finding", "create"): roles("monitor"),  # drafting, amending (a new version)
    ("finding", "update"): roles("monitor"),  # editing a draft nobody has signed
    ("finding_signature", "create"): roles("monitor"),
    # monitors' signing keys: public information (who signs with which key); a guarantor monitor registers their
    # own; its holder or an admin revokes it (the job checks which); a signed-in user lists their own
    ("monitor_key", "list"): anyone,
    ("monitor_key", "read"): anyone,
    ("monitor_key", "create"): roles("monitor"),
    ("monitor_key", "delete"): roles(*STAFF),
    ("account_key", "list"): signed_in,
    ("finding_publication", "create"): roles("monitor"),
    ("complaint_transition", "create"): own_party_or("monitor"),
    # a liaison officer answers a request for information on their party's complaint with a note and files (a
    # monitor may add files as it resumes the review); the workflow checks the state
    ("complaint_answer", "create"): own_party_or("monitor"),
    # a published finding's bundle holds only evidence marked public; the full one (restricted evidence, reports'
    # texts) is for monitors and admins
    ("finding_bundle_full", "read"): roles(*STAFF),
    ("complaint_opening", "create"): roles("monitor"),  # a monitor opens a complaint from an incident
    ("evidence_annotation", "create"): roles("monitor"),
    ("evidence_annotation", "read"): roles(*STAFF),
    ("evidence_withdrawal", "create"): own_party_or("monitor"),
}


def decide(identity: Identity, action: str, resource: Resource) -> bool:
    """May `identity` do `action` to `resource`? False for anything the table does not name (deny by default), and
    for an identity whose role or binding is not one of the known ones."""
    rule = RULES.get((resource.kind, action))
    if rule is None or not _well_formed(identity):
        return False
    return rule(identity, resource)


def _well_formed(i: Identity) -> bool:
    if i.role not in ROLES:
        return False
    if i.role == "liaison":
        return i.party in i.known_parties
    if i.role == "monitor":
        return i.guarantor in GUARANTOR_CODES
    return i.party is None and i.guarantor is None


def visible_parties(identity: Identity, kind: str) -> frozenset[str] | None:
    """Whose objects of `kind` the identity may read: None for everyone's (admins, monitors), else the set of party
    codes (empty: none). Listings filter by it; each object is checked again by `decide`."""
    if decide(identity, "read", Resource(kind, party=None)):
        return None
    return frozenset(p for p in identity.known_parties if decide(identity, "read", Resource(kind, party=p)))


def binding_problem(role: str, party: str | None, guarantor: str | None,
                    parties: Sequence[str] | None = None) -> str | None:
    """Why this role and binding do not go together, or None: a liaison officer needs a party (one of `parties`, the
    conflict's; default: the shipped data's), a guarantor monitor a guarantor, and nobody else has either."""
    parties = known_parties(parties)
    if role not in USER_ROLES:
        return f"unknown role {role!r}; choose one of {', '.join(USER_ROLES)}"
    if role == "liaison" and party not in parties:
        return f"a liaison officer speaks for one party: add --party {' or --party '.join(parties)}"
    if role == "monitor" and guarantor not in GUARANTOR_CODES:
        return (f"a guarantor monitor is bound to one guarantor: add --guarantor "
                f"{' or --guarantor '.join(GUARANTOR_CODES)}")
    if role != "liaison" and party is not None:
        return f"only liaison officers have a party; leave out --party for a {role}"
    if role != "monitor" and guarantor is not None:
        return f"only monitors have a guarantor; leave out --guarantor for a {role}"
    return None
