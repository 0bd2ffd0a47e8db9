"""Two Celery workers and one beat share a digest run for 50,000 members; each gets exactly one.

    .venv/bin/python bench/notifications_digests_cluster.py                 # 50,000 members
    .venv/bin/python bench/notifications_digests_cluster.py --members 5000  # quicker

Starts its own PostgreSQL cluster, Redis and SMTP sink (``bench/faultkit.py``: free ports on
127.0.0.1, a temporary folder, all stopped at the end; never the machine's standard ports), fills
the database with the digest benchmark's data (``bench/notifications_digests.py``: members in 20
coalitions, a week of practices, adoptions and comments, every member due), then starts two
workers and a beat, as production runs them. Beat's start runs the digest tick, which hands the
due members to the workers in chunks; they fan out and send. The script waits until every row is
settled, then checks what the SMTP sink received: one digest per member, none twice, and both
workers took a share. Exit status 0 when so.
"""

import argparse
import collections
import re
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from faultkit import ROOT, Services, stop_process_group  # noqa: E402

CELERY = str(Path(sys.executable).parent / "celery")

FILL = """
import sys
sys.path.insert(0, "bench")
from django.utils import timezone
from notifications_digests import fill
fill({members}, now=timezone.now())
"""

# Read with psql, not a Django shell: polling must not take the CPU the workers are measured on.
STATE = "select status, count(*) from notifications_delivery where kind = 'digest' group by status"


def start(services: Services, name: str, *args: str) -> subprocess.Popen:
    log = open(services.workdir / f"{name}.log", "w")  # noqa: SIM115 — the process writes it until stopped
    return subprocess.Popen(
        [CELERY, "-A", "config", *args],
        env=services.env,
        cwd=ROOT,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )


def wait_for(services: Services, name: str, text: str, process: subprocess.Popen, timeout: float = 120) -> None:
    deadline = time.monotonic() + timeout
    while text not in (services.workdir / f"{name}.log").read_text():
        if time.monotonic() > deadline or process.poll() is not None:
            raise RuntimeError(f"{name} did not start; see {services.workdir / name}.log")
        time.sleep(0.3)


def state(services: Services) -> dict:
    out = subprocess.run(
        ["psql", services.pg.url, "-Atc", STATE], capture_output=True, text=True, check=True, timeout=60
    ).stdout
    by_status = {status: int(n) for status, n in (line.split("|") for line in out.split())}
    return {"rows": sum(by_status.values()), "by_status": by_status}


def worker_share(services: Services, name: str) -> dict:
    """Tasks run and digests sent by one worker, from its log."""
    log = (services.workdir / f"{name}.log").read_text()
    sent = sum(int(n) for n in re.findall(r"notifications\.tasks\.deliver\[.*?succeeded.*?'sent': (\d+)", log))
    chunks = len(re.findall(r"notifications\.tasks\.fan_out_digests\[.*?succeeded", log))
    return {"fan-out chunks": chunks, "digests sent": sent}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--members", type=int, default=50_000)
    parser.add_argument("--timeout", type=float, default=3600, help="seconds to wait for the run to settle")
    args = parser.parse_args()

    services = Services()
    services.env["LOG_LEVEL"] = "INFO"  # the workers' logs tell each one's share
    processes = []
    try:
        print(f"PostgreSQL :{services.pg.port}, Redis :{services.redis.port}, SMTP :{services.smtp.port}")
        services.manage("migrate", "-v0")
        started = time.monotonic()
        services.manage("shell", "-c", FILL.format(members=args.members), timeout=3600)
        print(f"Filled {args.members} members, all due for their digest, in {time.monotonic() - started:.0f} s")

        for name in ("worker1", "worker2"):
            worker = start(services, name, "worker", "-l", "info", "--concurrency", "1", "-n", f"{name}@%h")
            processes.append(worker)
            wait_for(services, name, "ready.", worker)
        began = time.monotonic()
        beat = start(services, "beat", "beat", "-l", "info", "-s", str(services.workdir / "beat-schedule"))
        processes.append(beat)
        print("Two workers ready; beat started (its start runs the digest tick)")

        first = None
        deadline = began + args.timeout
        while True:
            received = len(services.smtp.received)
            if first is None and received:
                first = time.monotonic() - began
                print(f"First digest received {first:.1f} s after beat started")
            now = state(services)
            settled = sum(n for status, n in now["by_status"].items() if status not in {"pending", "sending"})
            if (now["rows"] == args.members and settled == now["rows"]) or time.monotonic() > deadline:
                break
            print(f"  {time.monotonic() - began:5.0f} s: {received} received, rows {now['by_status']}")
            time.sleep(5)
        # The sink counts each message once its DATA is accepted; let the last ones land.
        time.sleep(2)
        elapsed = time.monotonic() - began

        digests = collections.Counter(address for address, subject in services.smtp.messages if " digest: " in subject)
        twice = {address: n for address, n in digests.items() if n > 1}
        shares = {name: worker_share(services, name) for name in ("worker1", "worker2")}
        expected = {f"member{i}@example.org" for i in range(args.members)}
        missing = expected - set(digests)
        print(
            f"After {elapsed:.0f} s: rows {now['by_status']}; {sum(digests.values())} digests received by "
            f"{len(digests)} members ({sum(digests.values()) / elapsed:.0f}/s through SMTP); "
            f"missing {len(missing)}, twice {len(twice)}"
        )
        for name, share in shares.items():
            print(f"  {name}: {share}")
        sent_rows = now["by_status"].get("sent", 0)
        ok = (
            not missing
            and not twice
            and len(digests) == args.members == sent_rows == now["rows"]
            and all(share["digests sent"] > 0 for share in shares.values())
            and sum(share["digests sent"] for share in shares.values()) == args.members
        )
        print("PASS: every member got exactly one digest, and both workers shared the run" if ok else "FAIL")
        return 0 if ok else 1
    finally:
        for process in reversed(processes):
            stop_process_group(process)
        services.close()
        print(f"(logs in {services.workdir})")


if __name__ == "__main__":
    sys.exit(main())
