"""Mutation testing of the critical modules: one small change to the code at a time, then its tests.

    .venv/bin/python bench/mutation.py                          # all five modules, on SQLite
    .venv/bin/python bench/mutation.py --module tokens --list   # the mutants, without running them
    .venv/bin/python bench/mutation.py --max-mutants 40 --budget 600 --timeout 20

For each module below, the mutants are made from its source with Python's ``ast``: comparisons
flipped (``<`` ↔ ``<=``, ``==`` ↔ ``!=``, ``in`` ↔ ``not in``, ``is`` ↔ ``is not``), ``and`` ↔
``or``, a ``not`` dropped, arithmetic and ``|``/``&`` swapped, integers moved by one, ``True`` ↔
``False``, a returned value replaced by ``None``, a call or attribute assignment removed, and one
keyword dropped from an ORM call (``filter``, ``exclude``, ``update``, ``get``, ``create`` …).
Only function bodies are mutated; strings, docstrings and logging calls are left alone (changing
them is noise, not a test of the tests).

How they run: one pytest session per module, on that module's own test files (``MODULES``). The
session runs the tests once unmutated (they must pass), recording which tests call which function;
then, for each mutant, it swaps the mutated function's code object in place (``func.__code__``, so
every reference to the function sees it), runs only the tests that call that function until the
first failure, and swaps the original back. The test database is made once per module, not once
per mutant. A mutant is *killed* when a test fails (or it runs past ``--timeout``), *survived*
otherwise; ``EQUIVALENT`` below lists survivors that cannot be told apart from the original by
any test, each with the reason, and the score leaves them out.

Bounded: ``--max-mutants`` per module (an even sample when there are more), ``--timeout`` seconds
per mutant (on top of three times its tests' unmutated time, so a loaded machine does not turn a
survivor into a "timeout kill"), ``--budget`` seconds per module. Never part of ``.ci/run``; results go to
``bench/RESULTS.md`` by hand.
"""

import argparse
import ast
import copy
import importlib
import inspect
import json
import os
import select
import signal
import subprocess
import sys
import tempfile
import time
from dataclasses import asdict, dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent

# module → (import name, its own test files)
MODULES = {
    "mail": (
        "notifications.mail",
        [
            "tests/notifications/test_exactly_once.py",
            "tests/notifications/test_send_races.py",
            "tests/notifications/test_send_time_checks.py",
            "tests/notifications/test_fan_out_chunks.py",
            "tests/notifications/test_connections.py",
            "tests/notifications/test_coalition_emails.py",
            "tests/notifications/test_unsubscribe.py",
            "tests/notifications/test_reminders.py",
            "tests/notifications/test_digests.py",
            "tests/notifications/test_change_notices.py",
            "tests/notifications/test_commands.py",
            "tests/notifications/test_staff.py",
            "tests/notifications/test_outcome_writes.py",
            "tests/notifications/test_shared_rendering.py",
            "tests/notifications/test_bulk_sending.py",
        ],
    ),
    "outbox": (
        "notifications.outbox",
        [
            "tests/notifications/test_exactly_once.py",
            "tests/notifications/test_bulk_sending.py",
            "tests/notifications/test_reminder_fan_out.py",
            "tests/notifications/test_coalition_emails.py",
            "tests/notifications/test_shared_rendering.py",
        ],
    ),
    "tokens": ("notifications.tokens", ["tests/notifications/test_unsubscribe.py"]),
    "permissions": (
        "coalitions.permissions",
        [
            "tests/coalitions/test_verified_email.py",
            "tests/coalitions/test_joining.py",
            "tests/coalitions/test_invitations.py",
            "tests/coalitions/test_managing_members.py",
            "tests/coalitions/test_coalition_pages.py",
            "tests/sweep/test_permission_matrix.py",
            "tests/practices/test_editing_permissions.py",
        ],
    ),
    "recurrence": (
        "meetings.recurrence",
        ["tests/meetings/test_recurrence.py", "tests/meetings/test_series_scheduling.py"],
    ),
}

# Survivors no test can kill: "<module>:<mutant id>" → why the change makes no observable difference.
UNIQUE_VERIFIED = (
    "allauth keeps at most one verified, lower-cased EmailAddress per address across accounts, so a "
    "verified row for the account's address is the account's own"
)
SMTP_CODES = "SMTP reply codes run from 2xx to 5xx (RFC 5321 4.2): no code is 600 or more"
WHEN_TO_RECHECK = (
    "when to re-check ownership (at half or a third of the stale-claim age) changes how many UPDATEs "
    "run, not which emails go out: a claim younger than the stale-claim age cannot be taken over"
)
EQUIVALENT: dict[str, str] = {
    "mail:SendReport.merge:+4:remove:body:2": "the only merger (the commands' send_inline) never reads "
    "retry_countdown; the Celery task reads it from one unmerged report",
    "mail:reachable_users:+4:drop-kw:0": UNIQUE_VERIFIED,
    "mail:_claimed_rows:+10:drop-kw:0": UNIQUE_VERIFIED,
    "outbox:queue_email:+19:drop-kw:5": "no caller of queue_email passes a meeting (join decisions and "
    "invitations); meeting emails are fanned out with bulk_create",
    "outbox:queue_email:+19:drop-kw:6": "as above: meeting_start is None whenever meeting is",
    "mail:_claimed_rows:+7:drop-kw:0#2": "the claim token is new for each run, so the rows carrying it are "
    "the ones it claimed among these keys; the key list only lets the unique index find them",
    "mail:_claimed_rows:+7:drop-kw:2": "rows are read back right after the claim that set them to "
    "'sending'; nothing else moves them in between",
    "mail:_still_ours:+8:compare:0": WHEN_TO_RECHECK,
    "mail:_still_ours:+8:int-const": WHEN_TO_RECHECK,
    "mail:_still_ours:+10:drop-kw:2": "only the run holding the token moves a row out of 'sending', "
    "and it checks before it does",
    "mail:_Outcomes.write:+12:drop-kw:0": "the claim token is new for each run, so its rows are this chunk's; "
    "rows outside the CASE branches keep their values (``default=F(column)``): the ids only let the "
    "primary key find them",
    "mail:send_deliveries:+23:int-const": "the first check before a send finds nothing sent yet, so it writes "
    "nothing whatever the previous send's time; after a send, ``last_send`` is that send's own time",
    "mail:classify_failure:+4:compare:1": SMTP_CODES,
    "mail:classify_failure:+4:int-const#2": SMTP_CODES,
    "mail:classify_failure:+11:compare:1": SMTP_CODES,
    "mail:classify_failure:+11:int-const#2": SMTP_CODES,
    "mail:classify_failure:+15:return-none": "the only caller treats anything but 'bounce' and "
    "'transient' as permanent, so None and 'permanent' behave alike",
    "mail:mark_address_bounced:+5:return-none": "no caller uses the returned row",
    "permissions:has_verified_email:+3:drop-kw:0": UNIQUE_VERIFIED,
}
# Survivors of the SQLite run that a PostgreSQL-only test (real concurrent workers) kills.
KILLED_ON_POSTGRESQL: dict[str, str] = {
    "mail:_still_ours:+10:drop-kw:1#2": "tests/notifications/test_concurrency.py::"
    "test_an_overtaken_worker_leaves_alone_a_row_its_new_owner_is_still_sending",
}

ORM_METHODS = {"filter", "exclude", "update", "get", "create", "update_or_create", "get_or_create", "annotate"}
COMPARE_SWAPS = {
    ast.Lt: ast.LtE,
    ast.LtE: ast.Lt,
    ast.Gt: ast.GtE,
    ast.GtE: ast.Gt,
    ast.Eq: ast.NotEq,
    ast.NotEq: ast.Eq,
    ast.In: ast.NotIn,
    ast.NotIn: ast.In,
    ast.Is: ast.IsNot,
    ast.IsNot: ast.Is,
}
BINOP_SWAPS = {
    ast.Add: ast.Sub,
    ast.Sub: ast.Add,
    ast.Mult: ast.Div,
    ast.Div: ast.Mult,
    ast.FloorDiv: ast.Div,
    ast.Mod: ast.FloorDiv,
    ast.Pow: ast.Mult,
    ast.BitOr: ast.BitAnd,
    ast.BitAnd: ast.BitOr,
}
SYMBOLS = {
    ast.Lt: "<",
    ast.LtE: "<=",
    ast.Gt: ">",
    ast.GtE: ">=",
    ast.Eq: "==",
    ast.NotEq: "!=",
    ast.In: "in",
    ast.NotIn: "not in",
    ast.Is: "is",
    ast.IsNot: "is not",
    ast.Add: "+",
    ast.Sub: "-",
    ast.Mult: "*",
    ast.Div: "/",
    ast.FloorDiv: "//",
    ast.Mod: "%",
    ast.Pow: "**",
    ast.BitOr: "|",
    ast.BitAnd: "&",
    ast.And: "and",
    ast.Or: "or",
}


@dataclass
class Mutant:
    id: str  # "<function>:+<line within it>:<operator>", stable while the function's own lines stay put
    function: str  # qualified name of the top-level function or method it lives in
    line: int
    description: str
    path: list  # how to find the node again: a list of (field, index) steps from the module
    action: str  # which change to make at that node


def _is_logging_call(node: ast.AST) -> bool:
    return (
        isinstance(node, ast.Call)
        and isinstance(node.func, ast.Attribute)
        and isinstance(node.func.value, ast.Name)
        and node.func.value.id in {"logger", "logging"}
    )


def _walk_with_paths(node: ast.AST, path: list):
    """Yield (node, path) for ``node`` and everything under it, skipping logging calls."""
    yield node, path
    for field, value in ast.iter_fields(node):
        if isinstance(node, ast.Slice) and isinstance(value, ast.Constant):
            continue  # truncation lengths such as [:2000]: moving them by one is noise
        if isinstance(value, list):
            for index, child in enumerate(value):
                if isinstance(child, ast.AST) and not _is_logging_call(child):
                    yield from _walk_with_paths(child, [*path, (field, index)])
        elif isinstance(value, ast.AST) and not _is_logging_call(value):
            yield from _walk_with_paths(value, [*path, (field, None)])


def _functions(tree: ast.Module):
    """(qualified name, def node, path) of top-level functions and methods of top-level classes."""
    for index, node in enumerate(tree.body):
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            yield node.name, node, [("body", index)]
        elif isinstance(node, ast.ClassDef):
            for j, item in enumerate(node.body):
                if isinstance(item, ast.FunctionDef | ast.AsyncFunctionDef):
                    yield f"{node.name}.{item.name}", item, [("body", index), ("body", j)]


def _node_actions(node: ast.AST) -> list[tuple[str, str]]:
    """(action, description) pairs of the mutations this node allows."""
    actions = []
    if isinstance(node, ast.Compare):
        for i, op in enumerate(node.ops):
            if type(op) in COMPARE_SWAPS:
                new = COMPARE_SWAPS[type(op)]
                actions.append((f"compare:{i}", f"{SYMBOLS[type(op)]} → {SYMBOLS[new]}"))
    elif isinstance(node, ast.BoolOp):
        new = "or" if isinstance(node.op, ast.And) else "and"
        actions.append(("boolop", f"{SYMBOLS[type(node.op)]} → {new}"))
    elif isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.Not):
        actions.append(("drop-not", "not x → x"))
    elif isinstance(node, ast.BinOp) and type(node.op) in BINOP_SWAPS:
        new = BINOP_SWAPS[type(node.op)]
        actions.append(("binop", f"{SYMBOLS[type(node.op)]} → {SYMBOLS[new]}"))
    elif isinstance(node, ast.Constant) and type(node.value) is bool:
        actions.append(("bool-const", f"{node.value} → {not node.value}"))
    elif isinstance(node, ast.Constant) and type(node.value) is int:
        actions.append(("int-const", f"{node.value} → {node.value + 1}"))
    elif isinstance(node, ast.Return) and node.value is not None:
        if not (isinstance(node.value, ast.Constant) and node.value.value is None):
            actions.append(("return-none", "return x → return None"))
    elif isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr in ORM_METHODS:
        for i, keyword in enumerate(node.keywords):
            if keyword.arg is not None:
                actions.append((f"drop-kw:{i}", f".{node.func.attr}(…) without {keyword.arg}="))
    return actions


def _statement_actions(body_owner: ast.AST) -> list[tuple[str, str]]:
    """Removing one statement of a body: a call made for its effect, or an attribute assignment."""
    actions = []
    for field in ("body", "orelse", "finalbody"):
        statements = getattr(body_owner, field, None)
        if not isinstance(statements, list):  # a lambda's body is one expression
            continue
        for index, statement in enumerate(statements):
            removable = (
                isinstance(statement, ast.Expr)
                and isinstance(statement.value, ast.Call)
                and not _is_logging_call(statement.value)
            ) or (
                isinstance(statement, ast.Assign)
                and all(isinstance(t, ast.Attribute | ast.Subscript) for t in statement.targets)
            )
            if removable:
                text = ast.unparse(statement).splitlines()[0][:60]
                actions.append((f"remove:{field}:{index}", f"remove `{text}`"))
    return actions


def make_mutants(source: str) -> list[Mutant]:
    tree = ast.parse(source)
    mutants = []
    for qualname, function, path in _functions(tree):
        docstring = ast.get_docstring(function) is not None
        for index, statement in enumerate(function.body):
            if docstring and index == 0:
                continue
            for node, node_path in _walk_with_paths(statement, [*path, ("body", index)]):
                for action, description in _node_actions(node) + _statement_actions(node):
                    line = getattr(node, "lineno", function.lineno)
                    mutants.append(
                        Mutant(
                            id=f"{qualname}:+{line - function.lineno}:{action}",
                            function=qualname,
                            line=line,
                            description=description,
                            path=node_path,
                            action=action,
                        )
                    )
        # Statements directly in the function's body.
        for action, description in _statement_actions(function):
            index = int(action.split(":")[2])
            if docstring and action.startswith("remove:body:") and index == 0:
                continue
            line = function.body[index].lineno if action.startswith("remove:body:") else function.lineno
            mutants.append(
                Mutant(f"{qualname}:+{line - function.lineno}:{action}", qualname, line, description, path, action)
            )
    # Ids must be unique: two identical changes on one line get a counter.
    seen: dict[str, int] = {}
    for mutant in mutants:
        count = seen.get(mutant.id, 0)
        seen[mutant.id] = count + 1
        if count:
            mutant.id = f"{mutant.id}#{count + 1}"
    return mutants


def _resolve(tree: ast.AST, path: list) -> ast.AST:
    node = tree
    for field, index in path:
        node = getattr(node, field) if index is None else getattr(node, field)[index]
    return node


def apply(source: str, mutant: Mutant) -> ast.Module:
    """The module's tree with this one mutant applied."""
    tree = copy.deepcopy(ast.parse(source))
    node = _resolve(tree, mutant.path)
    action = mutant.action
    if action.startswith("compare:"):
        i = int(action.split(":")[1])
        node.ops[i] = COMPARE_SWAPS[type(node.ops[i])]()
    elif action == "boolop":
        node.op = ast.Or() if isinstance(node.op, ast.And) else ast.And()
    elif action == "drop-not":
        parent_path, (field, index) = mutant.path[:-1], mutant.path[-1]
        parent = _resolve(tree, parent_path)
        if index is None:
            setattr(parent, field, node.operand)
        else:
            getattr(parent, field)[index] = node.operand
    elif action == "binop":
        node.op = BINOP_SWAPS[type(node.op)]()
    elif action == "bool-const":
        node.value = not node.value
    elif action == "int-const":
        node.value = node.value + 1
    elif action == "return-none":
        node.value = ast.Constant(value=None)
    elif action.startswith("drop-kw:"):
        del node.keywords[int(action.split(":")[1])]
    elif action.startswith("remove:"):
        _, field, index = action.split(":")
        getattr(node, field)[int(index)] = ast.Pass()
    else:
        raise ValueError(action)
    return ast.fix_missing_locations(tree)


def _code_objects(code):
    yield code
    for const in code.co_consts:
        if inspect.iscode(const):
            yield from _code_objects(const)


def _target_function(module, qualname: str):
    """The function object whose ``__code__`` to swap (through decorators and descriptors)."""
    owner, _, name = qualname.rpartition(".")
    obj = vars(module)[name] if not owner else vars(vars(module)[owner])[name]
    if isinstance(obj, classmethod | staticmethod):
        obj = obj.__func__
    elif isinstance(obj, property):
        obj = obj.fget
    while not inspect.isfunction(obj) or obj.__code__.co_qualname != qualname:
        if inspect.ismethod(obj):
            obj = obj.__func__
        elif not inspect.isfunction(obj) and hasattr(obj, "run"):
            obj = obj.run  # a Celery task: its function is the task's ``run`` (bound when bind=True)
        else:
            obj = obj.__wrapped__
    return obj


# --- The pytest side: runs inside one pytest session per module ------------------------------


def _next(session, items: list, i: int):
    """The item pytest should expect after ``items[i]``: the next one, or after the last any other
    item of the session, so that session fixtures (the test database) stay up. Never the item itself:
    pytest would then keep its fixtures set up, and running it again would find them gone."""
    if i + 1 < len(items):
        return items[i + 1]
    return next((other for other in session.items if other is not items[i]), None)


class MutationPlugin:
    def __init__(self, module_name: str, mutants: list[Mutant], source: str, timeout: float, budget: float, out: str):
        self.module = importlib.import_module(module_name)
        self.mutants = mutants
        self.source = source
        self.timeout = timeout
        self.budget = budget
        self.out = out
        self.failed = False

    def pytest_runtest_logreport(self, report):
        if report.failed and not self.failed:
            self.failed = True
            lines = [line for line in report.longreprtext.splitlines() if line.startswith("E ")]
            self.failure = f"{report.nodeid} ({report.when}): {lines[0][1:].strip() if lines else ''}"[:300]

    def _run(self, session, items, *, stop_at_failure: bool) -> bool:
        """Run ``items``; True if one failed. Session fixtures (the test database) stay up."""
        self.failed = False
        self.failure = ""
        for i, item in enumerate(items):
            item.ihook.pytest_runtest_protocol(item=item, nextitem=_next(session, items, i))
            if self.failed and stop_at_failure:
                break
        return self.failed

    def _try(self, session, mutant: Mutant, tests: list) -> dict:
        """In the child: swap the mutated function's code in, run its tests to the first failure."""
        function = _target_function(self.module, mutant.function)
        compiled = compile(apply(self.source, mutant), self.module.__file__, "exec")
        function.__code__ = next(c for c in _code_objects(compiled) if c.co_qualname == mutant.function)
        # A memoized function (functools.lru_cache) would go on answering from what the unmutated
        # baseline run cached: forget it, so the mutant's code is what answers.
        cached = vars(self.module).get(mutant.function)
        if hasattr(cached, "cache_clear"):
            cached.cache_clear()
        if self._run(session, tests, stop_at_failure=True):
            return {"outcome": "killed", "killed_by": self.failure}
        return {"outcome": "survived"}

    def _in_child(self, work, limit: float) -> dict:
        """Run ``work`` in a forked process, so whatever a mutant changes (module state, the in-memory
        test database, a loop that never ends) dies with it. Past ``timeout`` it counts as killed."""
        read_fd, write_fd = os.pipe()
        pid = os.fork()
        if pid == 0:  # the child
            os.close(read_fd)
            try:
                result = work()
            except BaseException as exc:  # the runner itself failed: report it, do not hide it
                result = {"outcome": "error", "killed_by": repr(exc)[:300]}
            sys.stdout.flush()
            os.write(write_fd, json.dumps(result).encode())
            os._exit(0)
        os.close(write_fd)
        deadline = time.monotonic() + limit
        data = b""
        try:
            while True:
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    os.kill(pid, signal.SIGKILL)
                    return {"outcome": "killed (timeout)"}
                ready, _, _ = select.select([read_fd], [], [], remaining)
                if ready:
                    chunk = os.read(read_fd, 65536)
                    if not chunk:
                        break
                    data += chunk
        finally:
            os.waitpid(pid, 0)
            os.close(read_fd)
        return json.loads(data) if data else {"outcome": "killed", "killed_by": "the test process died"}

    @pytest.hookimpl(tryfirst=True)
    def pytest_runtestloop(self, session):
        import threading

        started = time.monotonic()
        items = list(session.items)
        targets = {}
        for qualname in sorted({m.function for m in self.mutants}):
            targets[_target_function(self.module, qualname).__code__] = qualname
        callers: dict[str, list] = {name: [] for name in targets.values()}
        current = {}

        def profile(frame, event, arg):
            if event == "call" and frame.f_code in targets and current.get("item") is not None:
                users = callers[targets[frame.f_code]]
                if not users or users[-1] is not current["item"]:
                    users.append(current["item"])

        # Baseline: every test passes unmutated; note which tests reach which function.
        self.failed = False
        self.durations: dict = {}
        for i, item in enumerate(items):
            current["item"] = item
            sys.setprofile(profile)
            threading.setprofile(profile)
            try:
                began = time.monotonic()
                item.ihook.pytest_runtest_protocol(item=item, nextitem=_next(session, items, i))
                self.durations[item] = time.monotonic() - began
            finally:
                sys.setprofile(None)
                threading.setprofile(None)
        current["item"] = None
        if self.failed:
            Path(self.out).write_text(json.dumps({"error": "the tests fail without any mutant"}))
            return True
        baseline = time.monotonic() - started

        results = []
        for mutant in self.mutants:
            if time.monotonic() - started > self.budget:
                results.append({**asdict(mutant), "outcome": "not run (budget)"})
                continue
            tests = callers.get(mutant.function, [])
            if not tests:
                results.append({**asdict(mutant), "outcome": "survived", "tests": 0, "note": "no test calls it"})
                continue
            began = time.monotonic()
            # A loop that never ends is a kill; a slow machine is not: the limit grows with the tests' own time.
            limit = self.timeout + 3 * sum(self.durations.get(test, 0) for test in tests)
            result = self._in_child(lambda m=mutant, t=tests: self._try(session, m, t), limit)
            seconds = round(time.monotonic() - began, 2)
            results.append({**asdict(mutant), **result, "tests": len(tests), "seconds": seconds})
        # Tear down what the last run left set up (the test database among it).
        session._setupstate.teardown_exact(None)
        Path(self.out).write_text(json.dumps({"baseline_seconds": round(baseline, 1), "results": results}))
        session.testsfailed = 0
        return True


def pytest_configure(config):
    """Entry point when pytest loads this file as a plugin (``-p bench.mutation``)."""
    spec = os.environ.get("MUTATION_SPEC")
    if not spec:
        return
    data = json.loads(Path(spec).read_text())
    plugin = MutationPlugin(
        data["module"],
        [Mutant(**m) for m in data["mutants"]],
        data["source"],
        data["timeout"],
        data["budget"],
        data["out"],
    )
    config.pluginmanager.register(plugin, "mutation-runner")


# --- The command ----------------------------------------------------------------------------


def sample(mutants: list[Mutant], limit: int) -> list[Mutant]:
    if limit <= 0 or len(mutants) <= limit:
        return mutants
    step = len(mutants) / limit
    return [mutants[int(i * step)] for i in range(limit)]


def run_module(name: str, args) -> dict:
    module_name, test_files = MODULES[name]
    path = ROOT / (module_name.replace(".", "/") + ".py")
    source = path.read_text()
    mutants = make_mutants(source)
    if args.only:
        mutants = [m for m in mutants if m.id in args.only]
    mutants = sample(mutants, args.max_mutants)
    if args.list:
        for mutant in mutants:
            print(f"  {mutant.id:55} {mutant.description}")
        return {"module": name, "listed": len(mutants)}
    with tempfile.TemporaryDirectory() as tmp:
        spec, out = Path(tmp) / "spec.json", Path(tmp) / "out.json"
        spec.write_text(
            json.dumps(
                {
                    "module": module_name,
                    "mutants": [asdict(m) for m in mutants],
                    "source": source,
                    "timeout": args.timeout,
                    "budget": args.budget,
                    "out": str(out),
                }
            )
        )
        env = {**os.environ, "MUTATION_SPEC": str(spec)}
        env.pop("REDIS_URL", None)  # the worker tests need a real worker; mutants run in-process
        # SQLite: a forked child gets its own copy of the in-memory test database; a PostgreSQL
        # connection would be one socket shared by parent and children.
        env.pop("DATABASE_URL", None)
        log = Path(tmp) / "pytest.log"
        command = [sys.executable, "-m", "pytest", "-p", "bench.mutation", "-p", "no:cacheprovider", "-q", *test_files]
        with log.open("w") as stream:
            subprocess.run(command, cwd=ROOT, env=env, stdout=stream, stderr=subprocess.STDOUT, check=False)
        if not out.exists():
            print(log.read_text()[-3000:])
            raise SystemExit(f"{name}: the mutation run did not finish")
        data = json.loads(out.read_text())
    if "error" in data:
        for r in data.get("results", [])[-1:]:
            print(f"    {r['id']} {r['description']}: {r.get('killed_by', '')}")
        raise SystemExit(f"{name}: {data['error']}")
    return {"module": name, "path": str(path.relative_to(ROOT)), "tests": test_files, **data}


def summarize(report: dict, verbose: bool = False) -> None:
    results = report["results"]
    key = report["module"]
    elsewhere = [r for r in results if r["outcome"] == "survived" and f"{key}:{r['id']}" in KILLED_ON_POSTGRESQL]
    killed = [r for r in results if r["outcome"].startswith("killed")] + elsewhere
    equivalent = [r for r in results if r["outcome"] == "survived" and f"{key}:{r['id']}" in EQUIVALENT]
    survived = [
        r
        for r in results
        if r["outcome"] not in {"survived", "killed", "killed (timeout)"}
        and not r["outcome"].startswith("not run")
        or r["outcome"] == "survived"
        and f"{key}:{r['id']}" not in EQUIVALENT
        and f"{key}:{r['id']}" not in KILLED_ON_POSTGRESQL
    ]
    not_run = [r for r in results if r["outcome"].startswith("not run")]
    meaningful = len(results) - len(equivalent) - len(not_run)
    score = 100 * len(killed) / meaningful if meaningful else 100.0
    print(
        f"{report['path']}: {len(results)} mutants, {len(killed)} killed, {len(survived)} survived, "
        f"{len(equivalent)} equivalent, {len(not_run)} not run; score {score:.0f}% "
        f"(baseline {report['baseline_seconds']} s over {len(report['tests'])} test files)"
    )
    for r in survived:
        note = f" ({r['note']})" if r.get("note") else ""
        print(f"    SURVIVED  {r['id']:55} {r['description']}{note} [{r['outcome']}]")
    if verbose:
        for r in results:
            if r["outcome"].startswith("killed"):
                print(f"    killed    {r['id']:55} {r['description']}  ← {r.get('killed_by', '')}")
    for r in elsewhere:
        print(f"    killed on PostgreSQL {r['id']:44} by {KILLED_ON_POSTGRESQL[key + ':' + r['id']]}")
    for r in equivalent:
        print(f"    equivalent {r['id']:54} {EQUIVALENT[key + ':' + r['id']]}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--module", choices=sorted(MODULES), action="append", help="repeatable; default: all")
    parser.add_argument("--max-mutants", type=int, default=200, help="per module; an even sample beyond it")
    parser.add_argument(
        "--timeout", type=float, default=30, help="seconds per mutant, on top of 3x its tests' unmutated time"
    )
    parser.add_argument("--budget", type=float, default=1200, help="seconds per module; the rest is reported not run")
    parser.add_argument("--list", action="store_true", help="list the mutants and stop")
    parser.add_argument("--only", action="append", help="run only the mutant with this id (repeatable)")
    parser.add_argument("--json", help="also write the full results here")
    parser.add_argument("--verbose", action="store_true", help="also list each killed mutant and the test that failed")
    args = parser.parse_args()
    reports = []
    for name in args.module or list(MODULES):
        started = time.monotonic()
        report = run_module(name, args)
        reports.append(report)
        if args.list:
            print(f"{name}: {report['listed']} mutants")
            continue
        summarize(report, args.verbose)
        print(f"    ({time.monotonic() - started:.0f} s)")
    if args.json:
        Path(args.json).write_text(json.dumps(reports, indent=1))


if __name__ == "__main__":
    main()
