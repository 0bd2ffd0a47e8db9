"""Fault: PostgreSQL restarted while gunicorn is under load. Requests fail cleanly for a moment (a 503
"Back in a moment" page with Retry-After, never a 500 or a hang), then the same gunicorn processes
recover without a restart.

    .venv/bin/python bench/fault_pg_restart.py           # about two minutes

Starts its own PostgreSQL cluster and Redis (``bench/faultkit.py``: other ports, a temporary folder,
stopped at the end), loads the demo data and ``--practices`` generated practices, starts gunicorn
with production settings, and drives it with ``bench/load.py``'s generator (half signed in). Round
one runs ``--seconds`` and restarts PostgreSQL (``pg_ctl restart -m fast``: every connection is cut)
part-way; round one may answer 503 but nothing else that fails; round two follows at once and must
have no error and no 5xx, served by the very same gunicorn worker processes. Exit status 0 when it did.
"""

import argparse
import json
import os
import subprocess
import sys
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from faultkit import PYTHON, ROOT, Services, free_port, stop_cleanly_on_term, stop_process_group  # noqa: E402
from load import wait_for  # noqa: E402

LOAD = str(Path(__file__).resolve().parent / "load.py")


def children(pid: int) -> set[int]:
    found = set()
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                if int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1]) == pid:
                    found.add(int(entry.name))
            except (OSError, IndexError, ValueError):
                continue
    return found


def generate(services: Services, data: Path, base: str, connections: int, seconds: float) -> dict:
    out = subprocess.run(
        [
            PYTHON,
            LOAD,
            "--generate",
            str(data),
            "--base",
            base,
            "--connections",
            str(connections),
            "--seconds",
            str(seconds),
        ],
        env=services.env,
        cwd=ROOT,
        check=True,
        capture_output=True,
        text=True,
        timeout=seconds + 120,
    )
    return json.loads(out.stdout)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--practices", type=int, default=500)
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--seconds", type=float, default=30)
    args = parser.parse_args()
    stop_cleanly_on_term()

    services = Services()
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    services.env.update(
        {
            "DJANGO_DEBUG": "0",
            "DJANGO_SECRET_KEY": os.urandom(32).hex(),
            "DJANGO_ALLOWED_HOSTS": "127.0.0.1",
            "DJANGO_SECURE_SSL_REDIRECT": "0",
            "SITE_URL": base,
        }
    )
    data = services.workdir / "data.json"
    gunicorn = None
    try:
        print(f"PostgreSQL :{services.pg.port}, Redis :{services.redis.port}, gunicorn {base}")
        services.manage("collectstatic", "--noinput", "-v0")
        subprocess.run(
            [PYTHON, LOAD, "--prepare", str(data), "--practices", str(args.practices)],
            env=services.env,
            cwd=ROOT,
            check=True,
            timeout=1800,
        )
        log = open(services.workdir / "gunicorn.log", "w")  # noqa: SIM115 — gunicorn writes it until the end
        gunicorn = subprocess.Popen(
            [
                str(Path(PYTHON).parent / "gunicorn"),
                "config.wsgi",
                "--bind",
                f"127.0.0.1:{port}",
                "--workers",
                "2",
                "--worker-class",
                "gthread",
                "--threads",
                "4",
                "--timeout",
                "30",
            ],
            env=services.env,
            cwd=ROOT,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        wait_for(base, 60)
        workers_before = children(gunicorn.pid)

        def restart_later():
            time.sleep(args.seconds / 3)
            started = time.monotonic()
            services.pg.restart()
            print(f"  PostgreSQL restarted (down and up again in {time.monotonic() - started:.1f} s)", flush=True)

        restarter = threading.Thread(target=restart_later)
        restarter.start()
        during = generate(services, data, base, args.connections, args.seconds)
        restarter.join()
        after = generate(services, data, base, args.connections, args.seconds / 2)
        workers_after = children(gunicorn.pid)

        for label, figures in (("during the restart", during), ("after it", after)):
            print(
                f"  {label}: {figures['requests']} requests, {figures['rps']:.1f}/s, p99 {figures['p99']:.0f} ms, "
                f"status {figures['status']}, errors {figures['errors']}, 5xx {figures['5xx']}; "
                f"e.g. {figures['examples'][:3] or 'none'}"
            )
        same = workers_before == workers_after
        print(
            f"  gunicorn workers before {sorted(workers_before)}, after {sorted(workers_after)}: "
            f"{'the same processes' if same else 'CHANGED'}"
        )
        # While the server is down a request may fail, but only as a 503 (with Retry-After), never a 500.
        ok = (
            same
            and after["errors"] == 0
            and after["5xx"] == 0
            and during["errors"] == 0
            and set(during["codes"]) <= {"503"}
        )
        print(f"  failures by status during the restart: {during['codes'] or 'none'}")
        print("PASS: only 503s during the restart, full recovery in the same processes" if ok else "FAIL")
        return 0 if ok else 1
    finally:
        if gunicorn is not None:
            stop_process_group(gunicorn)
        services.close()
        print(f"(logs in {services.workdir})")


if __name__ == "__main__":
    sys.exit(main())
