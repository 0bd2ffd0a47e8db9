"""Throwaway services for the fault scripts: a PostgreSQL cluster, a Redis and an SMTP sink of their own.

Each listens on 127.0.0.1 on a free port (never 5432 or 6379, which the test suite and everything
else on the machine use), keeps its files in a temporary folder, and is stopped by ``close()``.
No Django here: the scripts drive the portal through ``manage.py`` and ``celery`` processes.
"""

import email
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable
PG_BIN = Path(os.environ.get("PG_BIN", "/usr/lib/postgresql/15/bin"))


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def stop_cleanly_on_term() -> None:
    """Make SIGTERM (``timeout``, a CI job stopped) run the scripts' ``finally`` blocks, like Ctrl-C
    does, so the services they started are stopped too."""
    signal.signal(signal.SIGTERM, lambda signum, frame: sys.exit(128 + signum))


def stop_process_group(process: subprocess.Popen, timeout: float = 30) -> None:
    """TERM the process group (gunicorn and its workers, celery and its children), KILL it if it lingers."""
    if process.poll() is not None:
        return
    os.killpg(process.pid, signal.SIGTERM)
    try:
        process.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait()


def _as_postgres(cmd: list[str], **kwargs) -> subprocess.CompletedProcess:
    """initdb and pg_ctl refuse to run as root: run them as the postgres user when we are root."""
    if os.geteuid() == 0:
        cmd = ["runuser", "-u", "postgres", "--", *cmd]
    return subprocess.run(cmd, check=True, timeout=kwargs.pop("timeout", 120), **kwargs)


class Postgres:
    def __init__(self, workdir: Path):
        self.port = free_port()
        self.data = workdir / "pg"
        self.data.mkdir()
        if os.geteuid() == 0:
            shutil.chown(workdir, "postgres")
            shutil.chown(self.data, "postgres")
        _as_postgres(
            [str(PG_BIN / "initdb"), "-D", str(self.data), "-A", "trust", "-U", "postgres"], stdout=subprocess.DEVNULL
        )
        self.start()
        self.url = f"postgres://postgres@127.0.0.1:{self.port}/portal"
        subprocess.run(
            ["psql", f"postgres://postgres@127.0.0.1:{self.port}/postgres", "-qc", "create database portal"],
            check=True,
            timeout=60,
        )

    def _ctl(self, *args: str) -> None:
        _as_postgres([str(PG_BIN / "pg_ctl"), "-D", str(self.data), "-w", "-t", "60", *args], stdout=subprocess.DEVNULL)

    def start(self) -> None:
        options = f"-p {self.port} -k {self.data} -c listen_addresses=127.0.0.1"
        self._ctl("-o", options, "-l", str(self.data / "log"), "start")

    def stop(self, mode: str = "fast") -> None:
        self._ctl("-m", mode, "stop")

    def restart(self) -> None:
        self._ctl("-m", "fast", "restart")


class Redis:
    def __init__(self, workdir: Path):
        self.port = free_port()
        self.url = f"redis://127.0.0.1:{self.port}/0"
        subprocess.run(
            [
                "redis-server",
                "--port",
                str(self.port),
                "--bind",
                "127.0.0.1",
                "--daemonize",
                "yes",
                "--save",
                "",
                "--appendonly",
                "no",
                "--dir",
                str(workdir),
                "--logfile",
                str(workdir / "redis.log"),
            ],
            check=True,
            timeout=30,
        )
        deadline = time.monotonic() + 30
        while subprocess.run(["redis-cli", "-p", str(self.port), "ping"], capture_output=True).returncode:
            if time.monotonic() > deadline:
                raise RuntimeError("redis-server did not start")
            time.sleep(0.2)

    def stop(self) -> None:
        subprocess.run(["redis-cli", "-p", str(self.port), "shutdown", "nosave"], capture_output=True, timeout=30)


class SmtpSink:
    """An SMTP server that records each accepted message's recipients, and misbehaves on demand.

    ``delay`` stalls each RCPT a little (to slow a run down). ``fault`` (settable while it runs)
    makes every transaction fail one way, as a real relay does:

    - ``"busy"``: 421 to MAIL FROM, the server refuses every message for now (4xx, try later);
    - ``"defer"``: 451 after the message's end, the message is not taken (4xx);
    - ``"relay-denied"``: 550 to MAIL FROM, the server refuses every message (5xx, our side);
    - ``"reject-recipient"``: 550 to RCPT TO, this address does not exist (5xx, a hard bounce);
    - ``"stall"``: no answer to MAIL FROM for ``stall_seconds`` (set it past ``EMAIL_TIMEOUT``);
    - ``"drop"``: the connection is cut once the message's content has arrived, before any answer.

    A message counts as received only when it was answered 250. ``attempts`` records the time of
    every MAIL FROM, so the intervals between tries (the backoff) can be read afterwards.
    """

    FAULTS = ("busy", "defer", "relay-denied", "reject-recipient", "stall", "drop")

    def __init__(self, delay: float = 0.0):
        import asyncio

        from aiosmtpd.controller import Controller

        self.delay = delay
        self.fault: str | None = None
        self.stall_seconds = 0.0
        self.received: list[str] = []  # one recipient per accepted message and address
        self.messages: list[tuple[str, str]] = []  # (recipient, subject), in the same order
        self.attempts: list[tuple[float, str | None]] = []  # (monotonic time, fault) of each MAIL FROM
        self.lock = threading.Lock()
        sink = self

        class Handler:
            async def handle_MAIL(self, server, session, envelope, address, mail_options):
                fault = sink.fault
                with sink.lock:
                    sink.attempts.append((time.monotonic(), fault))
                if fault == "busy":
                    return "421 4.3.2 Service busy, try again later"
                if fault == "relay-denied":
                    return "550 5.7.1 Relaying denied"
                if fault == "stall":
                    await asyncio.sleep(sink.stall_seconds)
                envelope.mail_from = address
                envelope.mail_options.extend(mail_options)
                return "250 OK"

            async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
                if sink.delay:
                    await asyncio.sleep(sink.delay)
                if sink.fault == "reject-recipient":
                    return "550 5.1.1 No such user here"
                envelope.rcpt_tos.append(address)
                return "250 OK"

            async def handle_DATA(self, server, session, envelope):
                if sink.fault == "defer":
                    return "451 4.3.0 Temporary failure, try again later"
                if sink.fault == "drop":
                    server.transport.abort()
                    return "421 4.4.2 Connection dropped"  # never reaches the client
                subject = str(email.message_from_bytes(envelope.original_content or b"").get("Subject", ""))
                with sink.lock:
                    sink.received.extend(envelope.rcpt_tos)
                    sink.messages.extend((address, subject) for address in envelope.rcpt_tos)
                return "250 Message accepted"

        self.port = free_port()
        self.controller = Controller(Handler(), hostname="127.0.0.1", port=self.port)
        self.controller.start()
        self.url = f"smtp://127.0.0.1:{self.port}"

    def stop(self) -> None:
        self.controller.stop()


class Services:
    """PostgreSQL, Redis and an SMTP sink in one temporary folder; ``env`` points the portal at them."""

    def __init__(self, smtp_delay: float = 0.0):
        self.workdir = Path(tempfile.mkdtemp(prefix="srx-fault-"))
        os.chmod(self.workdir, 0o755)
        self.closers = []
        try:
            self.pg = Postgres(self._sub("db"))
            self.closers.append(lambda: self.pg.stop("immediate"))
            self.redis = Redis(self._sub("redis"))
            self.closers.append(self.redis.stop)
            self.smtp = SmtpSink(delay=smtp_delay)
            self.closers.append(self.smtp.stop)
        except BaseException:
            self.close()
            raise
        self.env = {
            **os.environ,
            "DATABASE_URL": self.pg.url,
            "REDIS_URL": self.redis.url,
            "EMAIL_URL": self.smtp.url,
            "DJANGO_VAR_DIR": str(self._sub("var")),
            "LOG_LEVEL": "WARNING",
        }

    def _sub(self, name: str) -> Path:
        path = self.workdir / name
        path.mkdir(exist_ok=True)
        os.chmod(path, 0o755)
        return path

    def manage(self, *args: str, timeout: float = 600, **kwargs) -> subprocess.CompletedProcess:
        return subprocess.run(
            [PYTHON, "manage.py", *args], env=self.env, cwd=ROOT, check=True, timeout=timeout, **kwargs
        )

    def close(self) -> None:
        for closer in reversed(self.closers):
            try:
                closer()
            except Exception as error:  # keep stopping the others
                print(f"stopping a service failed: {error}", file=sys.stderr)
        self.closers = []


def start_worker(services: Services, name: str, concurrency: int = 1) -> subprocess.Popen:
    """A Celery worker on the services, in a process group of its own; returns once it is ready."""
    log_path = services.workdir / f"{name}.log"
    log = open(log_path, "w")  # noqa: SIM115 — the worker writes it until stopped or killed
    worker = subprocess.Popen(
        [str(Path(PYTHON).parent / "celery"), "-A", "config", "worker", "-l", "info"]
        + ["--concurrency", str(concurrency), "-n", f"{name}@%h"],
        env=services.env,
        cwd=ROOT,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    deadline = time.monotonic() + 90
    while "ready." not in log_path.read_text():
        if time.monotonic() > deadline or worker.poll() is not None:
            raise RuntimeError(f"worker {name} did not start; see {log_path}")
        time.sleep(0.3)
    return worker
