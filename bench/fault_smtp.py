"""Fault: an SMTP server that refuses, stalls past ``EMAIL_TIMEOUT`` or drops the connection
mid-message. Retries with backoff, nothing lost, nothing sent twice.

    .venv/bin/python bench/fault_smtp.py                 # about three minutes

Starts its own PostgreSQL cluster, Redis and SMTP server (``bench/faultkit.py``: other ports, a
temporary folder, all stopped at the end), loads the demo data and starts one Celery worker, with
``EMAIL_TIMEOUT=2``, a retry backoff of 3 s doubling up to 24 s, and 8 attempts. Then, one round
per fault: the SMTP server starts misbehaving, a coalition admin invites ``--emails`` new
addresses (each invitation is one email, queued as a ``Delivery`` row and sent by the worker), the
fault lasts ``--fault-seconds``, then the server behaves again and the round waits until every row
is settled. A round passes when every row was sent (or, for a refused recipient, marked bounced and
never retried), every sent email reached the server exactly once, and the worker tried again with
growing intervals while the fault lasted. Exit status 0 when every round passed.

The faults (``faultkit.SmtpSink``): 421 to MAIL FROM (server busy), 451 after the message's end
(deferred), no answer to MAIL FROM for longer than ``EMAIL_TIMEOUT`` (stall), the connection cut
once the content has arrived and before the server answers (drop), 550 to MAIL FROM (relaying
denied: the server refuses us, not the recipient), and 550 to RCPT TO (no such user: a hard
bounce, which must not be retried).
"""

import argparse
import collections
import json
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from faultkit import Services, start_worker, stop_cleanly_on_term, stop_process_group  # noqa: E402

# The invitations' emails go out as one chunk (one task), as a fan-out sends them: each run of the
# task is one burst of tries, and the pauses between bursts are the backoff.
INVITE = """
from coalitions.models import Coalition, Membership
from coalitions.services import invite_member
from notifications.outbox import collect_keys, enqueue_keys
coalition = Coalition.objects.get(slug="colorado")
admin = Membership.objects.filter(coalition=coalition, role="admin").select_related("user").first().user
with collect_keys() as keys:
    for i in range({count}):
        invite_member(by=admin, coalition=coalition, email=f"{prefix}-{{i}}@invitees.example.org")
enqueue_keys(keys)
"""

STATE = """
import json
from django.db.models import Count
from notifications.models import Delivery
rows = Delivery.objects.filter(to_address__startswith="{prefix}-")
print(json.dumps({{
    "rows": rows.count(),
    "by_status": dict(rows.values_list("status").annotate(n=Count("pk"))),
    "attempts": sorted(rows.values_list("attempts", flat=True)),
    "errors": sorted(set(e.split(":")[0] for e in rows.exclude(last_error="").values_list("last_error", flat=True))),
}}))
"""

# (fault, what the portal must end with)
ROUNDS = [
    ("busy", "sent"),
    ("defer", "sent"),
    ("stall", "sent"),
    ("drop", "sent"),
    ("relay-denied", "sent"),
    ("reject-recipient", "bounced"),
]


def shell(services: Services, code: str) -> str:
    return services.manage("shell", "-c", code, capture_output=True, text=True).stdout.strip()


def state(services: Services, prefix: str) -> dict:
    return json.loads(shell(services, STATE.format(prefix=prefix)).splitlines()[-1])


EMAIL_TIMEOUT = 2


def tries(attempts: list[tuple[float, str | None]], fault: str) -> list[list[float]]:
    """The worker's bursts of tries during the fault: one burst is one run of the task through the
    queued emails, its tries at most one SMTP timeout apart; the pauses between bursts are the backoff."""
    bursts: list[list[float]] = []
    for moment in sorted(t for t, f in attempts if f == fault):
        if not bursts or moment - bursts[-1][-1] > EMAIL_TIMEOUT + 0.5:
            bursts.append([])
        bursts[-1].append(moment)
    return bursts


def run_round(services: Services, fault: str, expected: str, emails: int, fault_seconds: float, bound: float) -> dict:
    prefix = f"smtp-{fault}"
    sink = services.smtp
    start_attempts = len(sink.attempts)
    before = len(sink.messages)
    sink.fault = fault
    shell(services, INVITE.format(count=emails, prefix=prefix))
    began = time.monotonic()
    if fault == "stall":
        # Each try of a stalled server costs EMAIL_TIMEOUT: last long enough for two runs and their backoff.
        fault_seconds += 2 * emails * EMAIL_TIMEOUT
    while time.monotonic() - began < fault_seconds:
        time.sleep(0.2)
    sink.fault = None
    healed = time.monotonic()
    while True:
        now = state(services, prefix)
        settled = now["by_status"].get(expected, 0) == now["rows"] == emails
        if settled or time.monotonic() - healed > bound:
            break
        time.sleep(1)
    settle_seconds = time.monotonic() - healed
    if expected == "bounced":
        time.sleep(8)  # long enough for a wrongly scheduled retry to show itself
        now = state(services, prefix)
    received = collections.Counter(address for address, _ in sink.messages[before:] if address.startswith(prefix))
    bursts = tries(sink.attempts[start_attempts:], fault)
    gaps = [round(b[0] - a[-1], 1) for a, b in zip(bursts, bursts[1:], strict=False)]
    twice = {address: n for address, n in received.items() if n > 1}
    if expected == "sent":
        ok = (
            now["by_status"].get("sent", 0) == now["rows"] == emails == len(received) == sum(received.values())
            and len(bursts) >= 2
            and all(b > a for a, b in zip(gaps, gaps[1:], strict=False))
        )
    else:
        ok = now["by_status"].get("bounced", 0) == now["rows"] == emails and not received and len(bursts) == 1
    return {
        "fault": fault,
        "rows": now["rows"],
        "by_status": now["by_status"],
        "attempts": now["attempts"],
        "errors": now["errors"],
        "tries_during_fault": len([t for t, f in sink.attempts[start_attempts:] if f == fault]),
        "bursts": len(bursts),
        "gaps": gaps,
        "received": sum(received.values()),
        "twice": twice,
        "settled_after_s": round(settle_seconds, 1),
        "ok": ok,
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--emails", type=int, default=8, help="invitations (emails) per round")
    parser.add_argument("--fault-seconds", type=float, default=14, help="how long each fault lasts")
    parser.add_argument("--bound", type=float, default=90, help="seconds to wait for a round to settle")
    parser.add_argument("--fault", choices=[name for name, _ in ROUNDS], action="append", help="only these rounds")
    args = parser.parse_args()
    stop_cleanly_on_term()

    services = Services()
    services.smtp.stall_seconds = 2 * EMAIL_TIMEOUT
    services.env.update(
        {
            "EMAIL_TIMEOUT": str(EMAIL_TIMEOUT),
            "NOTIFICATIONS_RETRY_BASE_SECONDS": "3",
            "NOTIFICATIONS_RETRY_MAX_SECONDS": "24",
            "NOTIFICATIONS_MAX_ATTEMPTS": "8",
        }
    )
    worker = None
    results = []
    try:
        print(f"PostgreSQL :{services.pg.port}, Redis :{services.redis.port}, SMTP :{services.smtp.port}")
        services.manage("migrate", "-v0")
        services.manage("seed_demo", capture_output=True)
        # seed_demo queues emails of its own: forget them, so each round counts only its own.
        subprocess.run(["redis-cli", "-p", str(services.redis.port), "flushdb"], check=True, capture_output=True)
        shell(services, "from notifications.models import Delivery; Delivery.objects.all().delete()")
        worker = start_worker(services, "smtp-fault")
        for fault, expected in ROUNDS:
            if args.fault and fault not in args.fault:
                continue
            result = run_round(services, fault, expected, args.emails, args.fault_seconds, args.bound)
            results.append(result)
            print(
                f"  {fault}: rows {result['by_status']}, attempts per row {result['attempts']}, "
                f"{result['tries_during_fault']} tries in {result['bursts']} bursts during the fault, "
                f"pauses {result['gaps']} s, errors {result['errors']}; received {result['received']}, "
                f"twice: {result['twice'] or 'none'}; settled {result['settled_after_s']} s after the fault "
                f"-> {'ok' if result['ok'] else 'FAIL'}",
                flush=True,
            )
        print()
        print("| fault | rows | outcome | tries while faulty (bursts) | pauses between bursts, s | received | twice |")
        print("|---|---|---|---|---|---|---|")
        for r in results:
            outcome = ", ".join(f"{n} {status}" for status, n in sorted(r["by_status"].items()))
            print(
                f"| {r['fault']} | {r['rows']} | {outcome} | {r['tries_during_fault']} ({r['bursts']}) "
                f"| {', '.join(map(str, r['gaps'])) or '-'} | {r['received']} | {len(r['twice'])} |"
            )
        ok = bool(results) and all(r["ok"] for r in results)
        print("PASS: retried with backoff, nothing lost, nothing sent twice" if ok else "FAIL")
        return 0 if ok else 1
    finally:
        if worker is not None:
            stop_process_group(worker)
        services.close()
        print(f"(logs in {services.workdir})")


if __name__ == "__main__":
    sys.exit(main())
