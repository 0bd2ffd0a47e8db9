"""Fault: a Celery worker killed (SIGKILL) in the middle of a digest run. A later run finishes the
rest, and nobody gets two.

    .venv/bin/python bench/fault_worker_kill.py          # about three minutes

Starts its own PostgreSQL cluster, Redis and SMTP sink (``bench/faultkit.py``; other ports, a
temporary folder, all stopped at the end), loads the demo data, and starts a worker. A digest run
for every demo account is fanned out through the queue; the SMTP sink stalls each recipient a
little, so the run takes seconds, and the worker (with its pool) is killed once a few digests are
through. The fan-out is run again at once (it must add nothing), a new worker starts, and the
reminder tick (the sweep of stale claims, as beat runs it every minute) is called until every row
is sent. With ``NOTIFICATIONS_STALE_CLAIM_MINUTES=1`` the sweep takes the killed run's rows over
after two minutes. Exit status 0 when every digest arrived exactly once.
"""

import argparse
import collections
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from faultkit import Services, start_worker, stop_cleanly_on_term, stop_process_group  # noqa: E402

FAN_OUT = """
from django.utils import timezone
from notifications import services
from notifications.models import Delivery
everyone = list(services.digest_recipients().values_list("pk", flat=True))
services.dispatch_digests(now=timezone.now(), user_ids=everyone, force=True)
print(Delivery.objects.filter(kind=Delivery.Kind.DIGEST).count())
"""

STATE = """
import json
from django.db.models import Count
from notifications.models import Delivery
rows = Delivery.objects.filter(kind=Delivery.Kind.DIGEST)
print(json.dumps({"rows": rows.count(), "by_status": dict(rows.values_list("status").annotate(n=Count("pk")))}))
"""


def state(services: Services) -> dict:
    out = services.manage("shell", "-c", STATE, capture_output=True, text=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--smtp-delay", type=float, default=0.4, help="seconds the SMTP sink stalls each recipient")
    parser.add_argument("--kill-after", type=int, default=3, help="digests through before the worker is killed")
    parser.add_argument("--bound", type=float, default=240, help="seconds after the kill to wait for every row")
    args = parser.parse_args()
    stop_cleanly_on_term()

    services = Services(smtp_delay=args.smtp_delay)
    services.env["NOTIFICATIONS_STALE_CLAIM_MINUTES"] = "1"
    workers = []
    try:
        print(f"PostgreSQL :{services.pg.port}, Redis :{services.redis.port}, SMTP :{services.smtp.port}")
        services.manage("migrate", "-v0")
        services.manage("seed_demo", capture_output=True)
        # seed_demo queues emails of its own (a first digest among them): forget them, so this run
        # counts only the digest run below.
        subprocess.run(["redis-cli", "-p", str(services.redis.port), "flushdb"], check=True, capture_output=True)
        services.manage("shell", "-c", "from notifications.models import Delivery; Delivery.objects.all().delete()")
        before = len(services.smtp.received)
        workers.append(start_worker(services, "first"))

        fanned = int(services.manage("shell", "-c", FAN_OUT, capture_output=True, text=True).stdout.split()[-1])
        print(f"Digest run fanned out {fanned} emails; the SMTP sink stalls each {args.smtp_delay} s")
        deadline = time.monotonic() + 120
        while len(services.smtp.received) - before < args.kill_after:
            if time.monotonic() > deadline:
                raise RuntimeError("no digest arrived within two minutes")
            time.sleep(0.05)
        os.killpg(workers[0].pid, signal.SIGKILL)
        workers[0].wait()
        killed_at = time.monotonic()
        print(f"Worker killed after {len(services.smtp.received) - before} digests: {state(services)['by_status']}")

        again = int(services.manage("shell", "-c", FAN_OUT, capture_output=True, text=True).stdout.split()[-1])
        print(f"The digest run again at once: {again - fanned} new emails (its keys are queued again, harmlessly)")
        workers.append(start_worker(services, "second"))

        deadline = killed_at + args.bound
        while True:
            services.manage("send_reminders", capture_output=True)  # the every-minute tick, sweep included
            now = state(services)
            if now["by_status"].get("sent", 0) == now["rows"] or time.monotonic() > deadline:
                break
            time.sleep(10)
        waited = time.monotonic() - killed_at
        # Other emails go out too (seed_demo's meeting is due for reminders): count the digests, and
        # look for any email, digest or not, that reached someone twice.
        messages = services.smtp.messages[before:]
        digests = collections.Counter(address for address, subject in messages if " digest: " in subject)
        twice = {f"{address}: {subject}": n for (address, subject), n in collections.Counter(messages).items() if n > 1}
        print(
            f"After {waited:.0f} s: rows {now['by_status']}, {sum(digests.values())} digests received by "
            f"{len(digests)} members, the same email twice: {twice or 'never'}"
        )
        ok = (
            now["by_status"].get("sent", 0) == now["rows"] == fanned == len(digests) == sum(digests.values())
            and not twice
            and again == fanned
        )
        print("PASS: every digest arrived exactly once" if ok else "FAIL")
        return 0 if ok else 1
    finally:
        for worker in workers:
            stop_process_group(worker)
        services.close()
        print(f"(logs in {services.workdir})")


if __name__ == "__main__":
    sys.exit(main())
