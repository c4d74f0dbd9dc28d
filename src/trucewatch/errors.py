"""One base error, stable codes, messages that tell the user what to do.

Library code raises `TrucewatchError` subclasses; only the CLI turns them into exit codes. Every code is listed in
docs/errors.md (a test checks that).
"""
from __future__ import annotations

MESSAGES: dict[str, str] = {
    # ingest: 1xx
    "TW-E101": "{source}: no publication date; add a 'published' field (YYYY-MM-DD) or pass --published YYYY-MM-DD",
    "TW-E102": "{source}: not valid UTF-8 text ({detail}); convert it to UTF-8 and ingest again",
    "TW-E103": "{source}: looks like binary data, not a report; ingest .json, .jsonl, .txt or .html files",
    "TW-E104": "{source}: empty report (no text); nothing to ingest",
    "TW-E105": "{source}: not valid JSON ({detail}); fix the file or save it as .txt",
    "TW-E106": "{source}: missing field {field!r}; each article needs at least 'text' (and 'published' or --published)",
    "TW-E107": "{source}: publication date {value!r} is not a date; write it as YYYY-MM-DD",
    "TW-E108": "{source}: {size} bytes is over the {limit}-byte limit for one report; split it or raise TRUCEWATCH_MAX_REPORT_BYTES",
    "TW-E109": "{source}: unsupported file type {suffix!r}; ingest .json, .jsonl, .txt or .html",
    "TW-E110": "{source}: no such file or folder",
    "TW-E111": "{source}: could not extract any main text from the HTML page",
    "TW-E112": "{source}: the JSON holds {found}, not one article object; put one article per .json file, or many in a .jsonl file (one per line)",
    "TW-E113": "{source}: report id {report_id!r} was taken by other content while this report was being coded; ingest it again and it is stored as a revision",
    "TW-E114": "{source}: event extraction failed ({detail}); the report was not stored; please report this with the file",
    "TW-E115": "{source}: publication date {value!r} is outside 1900-2100; check the year",
    "TW-E116": "{source}: no .json, .jsonl, .txt or .html files in this folder",
    "TW-E117": "{source}: cannot read the file ({detail}); check that it exists and you may read it",
    "TW-E118": "{source}: not a regular file (a pipe, socket or device); save what it gives to a file and ingest that",
    "TW-E119": "{source}: extraction took longer than {seconds} s, so the report was not stored; split the report or raise max_extract_seconds (TRUCEWATCH_MAX_EXTRACT_SECONDS)",
    "TW-E120": "{source}: the extraction worker stopped (killed, out of memory or crashed) while coding this report, so it was not stored; ingest it again, and should it stop a worker again, please report this with the file",
    "TW-E121": "{source}: the Dask worker coding this report's partition was lost ({detail}), so it was not stored; run the backfill again: what is stored is skipped and the rest is coded again",
    "TW-E122": "cannot reach the Dask scheduler at {address} ({detail}); check the address (tcp://HOST:8786) and that the scheduler is running, or leave out --scheduler for a local cluster",
    "TW-E123": "backfill needs Dask, which is not installed ({detail}); install it with: pip install 'trucewatch[backfill]'",
    # storage: 2xx
    "TW-E201": "cannot open the database at {url}: {detail}; check --db or TRUCEWATCH_DB",
    "TW-E202": "the database at {url} is at schema {found}, this trucewatch needs {wanted}; run 'trucewatch db upgrade'",
    "TW-E203": "the database at {url} is at schema {found}, newer than this trucewatch knows ({wanted}); upgrade trucewatch",
    "TW-E204": "{source}: could not store the report ({detail}); nothing of it was stored",
    "TW-E205": "the database at {url} stayed busy with another writer for {seconds:.0f} s; nothing was written; try again when the other command (e.g. a long 'trucewatch resolve') has finished",
    "TW-E206": "the target database at {url} already holds rows ({tables}); 'db copy' fills only an empty database: create a new one (e.g. createdb) and name it with --to; nothing was written",
    "TW-E207": "the copy at {url} differs from the source: {detail}; the source may have changed during the copy (stop the writers, drop the target database, and copy again)",
    "TW-E208": "--from and --to name the same database ({url}); name a new, empty database with --to",
    # export and evaluation: 3xx
    "TW-E301": "unknown export format {value!r}; choose one of {choices}",
    "TW-E302": "{path}: not a corpus folder; it needs articles/*.json and gold.json",
    "TW-E303": "unknown export level {value!r}; choose one of {choices} (incident: a row per incident, its deaths counted once; account: a row per report's account)",
    # incidents and overrides: 305-309
    "TW-E305": "no incident {incident_id!r}; list them with 'trucewatch incidents'",
    "TW-E306": "no event {event_id!r}; an incident's events are listed by 'trucewatch incident ID', all events by 'trucewatch events'",
    "TW-E307": "unknown override {kind!r}; choose merge, split or pin",
    "TW-E308": "{detail}; nothing was recorded",
    # settings: 4xx
    "TW-E401": "setting {name} = {value!r} is not valid: {detail}",
    "TW-E402": "the conflict data in {path} cannot be used: {detail} (TRUCEWATCH_DATA_DIR; docs/conflict.md says what the folder holds)",
    # agreements and compliance: 5xx
    "TW-E501": "{source}: {problems}",
    "TW-E502": "{source}: not valid TOML ({detail}); fix the syntax there (docs/agreements.md shows the format)",
    "TW-E503": "no agreement {agreement_id!r}; known: {known}",
    "TW-E504": "{source}: cannot read the agreements file ({detail}); check that it exists and you may read it",
    "TW-E505": "{detail}; nothing was changed",
    "TW-E506": "unknown compliance {what} {value!r}; choose one of {choices}",
    # the workplace (web app, users, access): 6xx
    "TW-E601": "no secret key; set TRUCEWATCH_SECRET_KEY to a long random string (make one with: python -c \"import secrets; print(secrets.token_urlsafe(32))\"), or run 'trucewatch serve --dev' for a throw-away one",
    "TW-E602": "a user named {name!r} exists already; choose another name (see 'trucewatch users list')",
    "TW-E603": "no user {name!r}; see 'trucewatch users list'",
    "TW-E604": "{detail}",
    "TW-E605": "{detail}; nothing was changed",
    "TW-E606": "no API token {token_id!r}{detail}; see 'trucewatch users list'",
    "TW-E607": "{detail}",
    "TW-E610": "sign in first: send 'Authorization: Bearer TOKEN' (from 'trucewatch users token NAME') or sign in at /login",
    "TW-E611": "wrong user name or password",
    "TW-E612": "the API token is not valid (unknown, revoked, malformed, or its user is disabled); ask an admin for a new one",
    "TW-E613": "your role ({role}) may not {action} {kind}",
    "TW-E614": "the form's CSRF token is missing or wrong; reload the page and send the form again (API clients: use a Bearer token, or send the session's X-CSRF-Token header)",
    "TW-E615": "too many failed sign-ins; try again in {retry_after} seconds",
    "TW-E616": "not found: {what}",
    "TW-E617": "{method} is not allowed here; allowed: {allowed}",
    "TW-E618": "the request is not valid: {detail}",
    "TW-E619": "the request body is over the {limit}-byte limit; send smaller files or raise TRUCEWATCH_MAX_UPLOAD_BYTES",
    "TW-E620": "the cursor is not valid for this listing (altered, from another query, or from a server with another secret key); start again without 'cursor'",
    "TW-E635": "finding {finding_id!r} was not published: publishing goes through its confirmation page; open /findings/{finding_id}/publish, read what will become public, and press Publish there",
    "TW-E699": "internal error ({detail}); it was logged; please report it with the time it happened",
    # the audit log, its keys and checkpoints: 7xx (docs/audit.md)
    "TW-E701": "{path}: cannot read the file ({detail}); check that it exists and you may read it",
    "TW-E702": "{path}: not a signed checkpoint ({detail}); docs/audit.md shows the format",
    "TW-E703": "{path}: not an Ed25519 {kind} key ({detail}); make a key pair with 'trucewatch audit keys generate'",
    "TW-E704": "unknown guarantor {value!r}; choose one of {choices}",
    "TW-E705": "key name {name!r} is not valid; a key name is 1 to 200 characters, none of them white space, '+' or a control character (as C2SP signed-note allows), e.g. 'qat-1' or 'doha.example/qat-2'",
    "TW-E706": "{detail}; keys are never replaced: register a new key under a new name (see 'trucewatch audit keys list')",
    "TW-E707": "{path}: {detail}; nothing was registered",
    "TW-E708": "the key in {path} is not registered; register its public key first: trucewatch audit keys add NAME --guarantor {choices} PUBLIC_KEY_FILE",
    "TW-E709": "the audit log does not verify ({detail}); nothing was signed; run 'trucewatch audit verify' and settle that first",
    "TW-E710": "{path}: {detail}; not co-signed",
    "TW-E711": "no audit entry {seq}; the log has {size} entries",
    "TW-E712": "tree size {size} is not valid here: {detail}",
    "TW-E713": "cannot write {path} ({detail}); nothing was written",
    "TW-E714": "{path}:{line}: not a trusted key line ({detail}); write one key per line as 'GUARANTOR NAME+HASH+KEY', as 'trucewatch audit keys generate' prints it",
    "TW-E720": "no consistency proof from the first {old_size} entries to the first {size}: {detail}; give 1 <= M <= N <= the log's size ('trucewatch audit show --limit 0' prints it)",
    # verification: complaints' workflow, findings, their evidence and bundles: 8xx (docs/findings.md)
    "TW-E801": "complaint {complaint_id!r} is {state!r}, it cannot go to {to_state!r}; from {state!r} it may go to: {choices}",
    "TW-E802": "a {role} may not move a complaint from {from_state!r} to {to_state!r}{detail}",
    "TW-E803": "a note is needed to move a complaint from {from_state!r} to {to_state!r}: {why}",
    "TW-E804": "a complaint goes from {from_state!r} to {to_state!r} when {how}, not by a transition of its own",
    "TW-E805": "finding {finding_id!r} is signed, so it is never changed: {detail}",
    "TW-E806": "the finding is not valid: {detail}",
    "TW-E807": "no finding {finding_id!r}; see 'trucewatch findings list'",
    "TW-E808": "cannot sign finding {finding_id!r}: {detail}",
    "TW-E809": "cannot publish finding {finding_id!r}: {detail}",
    "TW-E810": "cannot amend finding {finding_id!r}: {detail}",
    "TW-E811": "{name} is a {role}: only {roles} may {action}",
    "TW-E812": "user {name!r} is disabled and cannot act; see 'trucewatch users list'",
    "TW-E813": "evidence {sha256!r} of complaint {complaint_id!r}: {detail}",
    "TW-E814": "cannot make the bundle of finding {finding_id!r}: {detail}",
    "TW-E815": "no complaint {complaint_id!r}; see 'trucewatch complaints list'",
    "TW-E820": "finding {finding_id} was changed after it was signed: its content no longer matches the signed hash ({detail}); restore it from a bundle or the audit log, and run 'trucewatch audit verify'",
    "TW-E830": "{name!r} is not a valid key name: {detail}; choose a name such as 'ana-2026' (at most 200 characters, no spaces, no '+')",
    "TW-E831": "the public key is not valid ({detail}); give the base64 of the 32-byte Ed25519 key, or the verifier key line 'NAME+HASH+KEY' that 'trucewatch findings keys generate' wrote to FILE.pub",
    "TW-E832": "key {key_name!r} cannot sign: {detail}; see 'trucewatch findings keys list'",
    "TW-E833": "the signature does not verify with key {key_name!r} over the content hash {content_hash} ({detail}); sign the finding's content hash with that key's private key ('trucewatch findings sign ID --key FILE')",
    "TW-E834": "key {key_name!r} is held by {holder}, not by {name}: a monitor signs only with their own key",
    "TW-E835": "cannot sign finding {finding_id!r}: {detail}",
    "TW-E836": "cannot register key {name!r}: {detail}",
    "TW-E837": "cannot revoke key {name!r}: {detail}",
    "TW-E838": "{detail}: {name}'s password is needed (asked for, or the first line of stdin with --password-stdin)",
    "TW-E839": "the server at {url} did not take the signature: {detail}",
    "TW-E840": "{name} is a {role}: a finding's full bundle, with restricted evidence and reports' texts, is for monitors and admins; leave out --full (?full=1) for the bundle anyone may have",
    # live intake, sources and the watch: 900-919 (docs/live.md)
    "TW-E900": "{url!r} is not an address the watch can poll ({detail}); give a full http:// or https:// URL, e.g. https://www.example.org/feed.xml",
    "TW-E901": "unknown source kind {kind!r}; choose one of rss, atom (a feed), page (one page, read again when its text changes) or sitemap (a news sitemap whose pages are read)",
    "TW-E902": "interval {value!r} is not valid ({detail}); write a number and a unit, such as 90s, 10m, 2h or 1d",
    "TW-E903": "a source named {name!r} already exists ({url}); choose another --name, or 'trucewatch sources remove {name}' first",
    "TW-E904": "no source named {name!r}; see 'trucewatch sources list'",
    "TW-E905": "{name!r} is not a valid source name ({detail}); use letters, digits, '-', '_' and '.', at most 100 characters",
    "TW-E906": "{source}: could not fetch {url} ({detail}); check the address in a browser and the network; the watch tries again later, waiting longer after each failure",
    "TW-E907": "{source}: {url} answered HTTP {status}; {advice}",
    "TW-E908": "{source}: {url} did not answer within {seconds:g} s; the watch tries again later (TRUCEWATCH_WATCH_TIMEOUT_SECONDS sets the limit)",
    "TW-E909": "{source}: not a well-formed {kind} document ({detail}); open the address in a browser: a web page is added with --kind page, a feed with --kind rss or atom",
    "TW-E910": "{source}: the document declares a DTD or entities, which the watch refuses (they can expand without bound or read files); ask the publisher for a plain feed",
    "TW-E911": "{source}: this is a sitemap index, not a sitemap; add each sitemap it lists as a source of its own (--kind sitemap)",
    "TW-E912": "{source}: the item at {url} could not be read ({detail}); it is tried again at the next poll",
    "TW-E913": "{source}: {url} is larger than {limit} bytes; the watch reads at most TRUCEWATCH_MAX_REPORT_BYTES from one address",
    "TW-E914": "--poll {value!r} is not valid; give a number of seconds of at least 1",
    # alerts: 920-939 (docs/alerts.md)
    "TW-E920": "unknown alert kind {kind!r}; choose one of {choices}",
    "TW-E921": "an alert rule needs somewhere to send its alerts: give --webhook URL with --secret S, or --email ADDRESS ({detail})",
    "TW-E922": "{detail}; nothing was stored",
    "TW-E923": "{user} has no alert rule {rule_id}; list theirs with 'trucewatch alerts rules list --user {user}'",
    "TW-E924": "no incident {incident_id!r} to watch; list them with 'trucewatch incidents'",
    "TW-E925": "alerts by e-mail need an SMTP server: set TRUCEWATCH_SMTP_HOST and TRUCEWATCH_SMTP_FROM (docs/settings.md), then add the rule again",
}


class TrucewatchError(Exception):
    """An error the user can act on. `code` is stable; the message says what to do."""

    code = "TW-E000"

    def __init__(self, code: str, **details: object) -> None:
        self.code = code
        self.details = details
        template = MESSAGES.get(code, "{detail}")
        try:
            message = template.format(**details)
        except (KeyError, IndexError):
            message = f"{template} {details}"
        super().__init__(f"{code}: {message}")

    @property
    def message(self) -> str:
        return str(self)


class IngestError(TrucewatchError):
    """One input could not be ingested; the rest of the batch goes on."""


class StorageError(TrucewatchError):
    """The store could not be opened or is at the wrong schema."""


class ExportError(TrucewatchError):
    pass


class IncidentError(TrucewatchError):
    """An incident or event that does not exist, or a monitor's override that cannot be recorded."""


class SettingsError(TrucewatchError):
    pass


class AgreementError(TrucewatchError):
    """An agreements file that cannot be loaded, an unknown agreement, or an edit that cannot be made."""


class WebError(TrucewatchError):
    """The workplace: users and their tokens, signing in, access, and requests to the web app (TW-E6xx)."""


class AuditError(TrucewatchError):
    """The audit log, its guarantors' keys and its signed checkpoints (TW-E7xx)."""


class FindingError(TrucewatchError):
    """Verification: a complaint's workflow, findings and their sign-off, evidence, bundles (TW-E8xx)."""


class SourceError(TrucewatchError):
    """Live intake: watched sources and the watch that polls them (TW-E900..E919)."""


class AlertError(TrucewatchError):
    """Alert rules, watched incidents and deliveries (TW-E920..E939)."""
