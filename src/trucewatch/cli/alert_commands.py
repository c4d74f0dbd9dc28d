"""`trucewatch alerts`: users' alert rules, watched incidents, the alerts fired and their deliveries
(docs/alerts.md). Thin commands over `trucewatch.jobs.alerts`; imported only when one of them runs (cli/main.py's lazy
groups)."""
from __future__ import annotations

from datetime import UTC, datetime

import click

from trucewatch.cli.main import TrucewatchGroup, conflict_of, db_option, open_database, settings_for
from trucewatch.jobs import alerts as jobs

KIND_HELP = "; ".join(f"{kind}: {words}" for kind, words in jobs.KINDS.items())


@click.group(cls=TrucewatchGroup)
def alerts() -> None:
    """Alert rules, watched incidents, the alerts fired and their deliveries (docs/alerts.md)."""


@alerts.group("rules", cls=TrucewatchGroup)
def rules() -> None:
    """A user's alert rules: add, list, remove."""


@rules.command("add")
@click.option("--user", "user", required=True, metavar="NAME", help="Whose rule it is.")
@click.option("--kind", required=True, type=click.Choice(list(jobs.KINDS)), help=KIND_HELP)
@click.option("--party", metavar="CODE", help="Only this party (accused, claimant, or the province's country).")
@click.option("--province", metavar="NAME", help="Only incidents in this province (ACLED admin1, any case).")
@click.option("--type", "event_type", metavar="TYPE", help="Only this event type or sub-event type (any case).")
@click.option("--webhook", metavar="URL", help="POST each alert here as signed JSON (needs --secret).")
@click.option("--secret", metavar="S", help="The webhook's HMAC-SHA256 key (its receiver checks the signature).")
@click.option("--email", metavar="ADDRESS", help="Send each alert to this address (needs the SMTP settings).")
@db_option
def rules_add(user: str, kind: str, party: str | None, province: str | None, event_type: str | None,
              webhook: str | None, secret: str | None, email: str | None, db: str | None) -> None:
    """Add an alert rule for a user; prints its id."""
    settings = settings_for(db)
    rule = jobs.add_rule(open_database(settings, write=True), user, kind, party=party, province=province,
                         event_type=event_type, webhook_url=webhook, secret=secret, email=email, settings=settings,
                         parties=conflict_of(settings).party_codes, now=datetime.now(UTC))
    click.echo(f"added rule {rule.rule_id} for {rule.user}: {_rule_text(rule)}")


@rules.command("list")
@click.option("--user", "user", metavar="NAME", default=None, help="Only this user's rules.")
@db_option
def rules_list(user: str | None, db: str | None) -> None:
    """Show the rules: id, user, kind, filters, where alerts go (a webhook's secret is never shown)."""
    found = jobs.list_rules(open_database(settings_for(db)), user)
    for rule in found:
        click.echo(f"{rule.rule_id:>5}  {rule.user:<20} {_rule_text(rule)}")
    click.echo(f"{len(found)} rules")


@rules.command("remove")
@click.argument("rule_id", type=int)
@click.option("--user", "user", required=True, metavar="NAME", help="Whose rule it is.")
@db_option
def rules_remove(rule_id: int, user: str, db: str | None) -> None:
    """Remove a user's rule, with the alerts it fired."""
    rule = jobs.remove_rule(open_database(settings_for(db), write=True), user, rule_id)
    click.echo(f"removed rule {rule.rule_id} of {rule.user}")


def _rule_text(rule: jobs.AlertRule) -> str:
    filters = [f"{name} {value}" for name, value in (("party", rule.party), ("province", rule.province),
                                                     ("type", rule.event_type)) if value]
    to = [f"{way} {target}" for way, target in (("webhook", rule.webhook_url), ("e-mail", rule.email)) if target]
    return f"{rule.kind}" + (f" ({', '.join(filters)})" if filters else "") + f" -> {', '.join(to)}"


@alerts.command("watch")
@click.argument("incident_id")
@click.option("--user", "user", required=True, metavar="NAME", help="Who watches it.")
@click.option("--stop", is_flag=True, help="Stop watching it.")
@db_option
def watch(incident_id: str, user: str, stop: bool, db: str | None) -> None:
    """Watch an incident: the user's 'claim' rules fire on new claims and denials on it."""
    changed = jobs.watch_incident(open_database(settings_for(db), write=True), user, incident_id,
                                  datetime.now(UTC), watch=not stop)
    verb = "stopped watching" if stop else "watches"
    click.echo(f"{user} {verb} {incident_id}" + ("" if changed else " (nothing changed)"))


@alerts.command("list")
@click.option("--user", "user", metavar="NAME", default=None, help="Only this user's alerts.")
@click.option("--limit", type=click.IntRange(min=1), default=50, show_default=True, help="Show at most N alerts.")
@db_option
def alerts_list(user: str | None, limit: int, db: str | None) -> None:
    """Show the alerts, newest first: when, whose, which incident and why, and each delivery's state."""
    settings = settings_for(db)
    found = jobs.list_alerts(open_database(settings), user, limit, conflict_of(settings))
    for listed in found:
        a = listed.alert
        click.echo(f"{a.fired_at:%Y-%m-%d %H:%M}  {a.alert_id}  {a.user}  {a.kind}  {a.link}")
        click.echo(f"    {a.why}")
        for d in listed.deliveries:
            click.echo(f"    {d.channel} {d.target}: {_delivery_text(d)}")
    click.echo(f"{len(found)} alerts")


def _delivery_text(d: jobs.Delivery) -> str:
    tries = f"{d.attempts} attempt" + ("" if d.attempts == 1 else "s")
    if d.state == "sent":
        return f"sent ({tries})"
    if d.state == "failed":
        return f"given up ({d.last_error})"
    when = f"next at {d.next_at:%Y-%m-%d %H:%M:%S} UTC" if d.next_at else "due"
    return f"due, {tries}, {when}" + (f"; last: {d.last_error}" if d.last_error else "")


@alerts.command("deliver")
@db_option
def deliver(db: str | None) -> None:
    """Deliver what is due now (run it from cron when no watch runs). Exit code 0; 1 when a delivery was given
    up."""
    settings = settings_for(db)
    results = jobs.deliver_due(open_database(settings, write=True), datetime.now(UTC), settings=settings)
    for r in results:
        later = f"; next at {r.next_at:%H:%M:%S} UTC" if r.next_at else ""
        click.echo(f"{r.alert_id} {r.channel} {r.target}: {r.outcome} (attempt {r.attempt}){later}")
    sent = sum(r.state == "sent" for r in results)
    click.echo(f"{len(results)} deliveries attempted, {sent} sent")
    if any(r.state == "failed" for r in results):
        raise SystemExit(1)
