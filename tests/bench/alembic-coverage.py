#!/usr/bin/python3
"""alembic-coverage.py STRATA [NAME=]VERSIONS... [options]: how much of real
Alembic histories strata translates, and whether what it translates is byte
for byte what the real Alembic prints.

For each versions folder (a tree; NAME defaults to the basename of its
project root: the nearest folder above it holding .git, pyproject.toml,
setup.py or setup.cfg) it prints, on the PostgreSQL dialect:

  translated/total  revisions `strata --json ledger` does not mark
                    "untranslatable", of all revisions;
  identical         translated revisions whose SQL is byte for byte the
                    block the real `alembic upgrade P:R --sql` prints;
  differ            translated revisions whose SQL is not (--verbose: a
                    unified diff each, Alembic's side first);
  alembic-failed    translated revisions the real Alembic could not render
                    (the revision imports the application and its SQL
                    touches a stub, an exception, an argument newer than
                    Alembic 1.8.1 that it ignores with a SAWarning such as
                    create_index(if_not_exists=), ...; --verbose: the
                    exception's last line), counted apart;
  renderable        (total only) translated revisions of all but the
                    untranslatable ones Alembic could not render either.

Options:
  --opts NAME=FILE    extra source options for tree NAME, appended under the
                      source in strata.yaml (e.g. an `assume:` or a `types:`
                      line, any indentation; a `types:` file's path relative
                      to the versions folder, as strata reads it). The
                      `assume:` mapping is given to Alembic too (below).
  --pythonpath NAME=DIR  more sys.path for the tree's application imports
                      (default: the project root and, if present, its src/).
  --pg URL            a PostgreSQL server strata may create databases on
                      (default $STRATA_TEST_PG, else a private cluster made
                      by tests/pg/cluster.sh for the run and stopped after).
  --strata-sql-filter CMD  (self-test only) a shell filter strata's dry-run
                      output passes through before it is compared.
  -v, --verbose       diffs, Alembic's failures, the untranslatable reasons
                      (UNTRANSLATABLE RENDERABLE / UNRENDERED: whether the real
                      Alembic rendered the revision; for an unrendered one,
                      Alembic's error).
  -j N                trees in parallel (default: the CPUs).
Exit 0 when nothing differs, 1 when a translated revision differs, 2 on an
error of the bench itself.

How each side's SQL is obtained:

strata: `strata -c CFG apply --dry-run` on an empty PostgreSQL database of
its own prints every pending revision up to the first untranslatable one U
(it then stops, naming U); `strata baseline --to app:U` records U and its
ancestors, and the dry run is repeated until it ends without error. Each
revision's text is the first block printed for it (`-- apply app:REV ...`
to the next such line); all repeats are the same text.

Alembic: a throw-away project (`alembic init -t generic`: its env.py, offline
with literal_binds, sqlalchemy.url = postgresql://, no server) whose versions
folder is a copy of the tree's. One Python process per tree (the Debian
python3, Alembic 1.8.1, SQLAlchemy 1.4) loads the ScriptDirectory once and
runs what `alembic upgrade base:heads --sql` runs (alembic.command.upgrade's
body); if that fails, each revision not yet rendered is run on its own, as
`alembic upgrade P:R --sql` with P all of R's parents (down revisions and
depends_on, which the command line cannot write for a merge). The project
root (and its src/) is on sys.path, after the standard library and the
installed packages, so that a folder named like a standard module does not
hide it. Two things make a revision that merely imports the
application run anyway, and are never counted as identical:
  - a module that cannot be found, imported from the tree's own code, is a
    stub whose attributes are stubs (callable, subclassable). A stub used as
    a value (str, bool, int, iteration, comparison...) is recorded against
    the revision running it (or loading it, or whose application module did
    it at import); a stub's str() is "<<stub NAME>>", so one that reaches the
    SQL shows; such a revision counts as alembic-failed;
  - a revision file that still fails to import becomes a placeholder with
    its revision identifiers (read with ast) whose upgrade() raises the
    import error, so the rest of the tree still runs.
An `assume:` key `a.b.c` of the tree's options is given to Alembic as strata
takes it: in each revision module that has a global `a`, `a.b.c` yields the
value, and so does `a.b.get("c"[, default])` (the rest of `a` is the real or
stub object). A revision whose
upgrade() takes parameters (quay's env.py runs
`context.run_migrations(op=alembic_op, tables=tables, tester=...)`) is
called with alembic.op for `op` and, per the options' `arguments:` mapping,
an object whose calls do nothing for `noop`, and for `tables` a namespace in
which tables.X is the sa.Table op.create_table() returned for X earlier in
the run (plus the op.add_column() columns since; any other change to X, an
ALTER TABLE string included, forgets it); any other parameter, and a table
not known so, is a stub.

Normalisation (only the framing in which the two outputs differ):
  - Alembic's block is from `-- Running upgrade P -> R` to the next such line
    or the end, less its version-table statements at its end (INSERT INTO /
    UPDATE / DELETE FROM alembic_version, as Alembic writes them) and, at the
    end of the script, its closing COMMIT;
  - strata's block is from its `-- apply app:R` line to the next, less the
    BEGIN; first and COMMIT; last lines that wrap a transactional revision
    and, after the last block, the closing `-- N migrations would be
    applied; nothing was changed` line;
  - then the remaining statements (each ending in `;`, separated by a blank
    line on both sides) must be equal byte for byte, and strata's block is
    transactional exactly when Alembic's holds no COMMIT;/BEGIN; pair of an
    autocommit_block() (strata runs such a revision wholly in autocommit):
    on the Alembic side those two statements are dropped after that check.
Nothing else (whitespace, case, order) is normalised.
"""
import argparse
import ast
import concurrent.futures
import difflib
import functools
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import urllib.parse

PY = "/usr/bin/python3"
HERE = os.path.dirname(os.path.abspath(__file__))
CLUSTER = os.path.join(HERE, "..", "pg", "cluster.sh")

# Alembic 1.8.1's version-table statements on PostgreSQL (generic env.py).
VERSION_STMT = re.compile(
    r"^(INSERT INTO alembic_version \(version_num\) VALUES \('[^']*'\) RETURNING alembic_version\.version_num"
    r"|UPDATE alembic_version SET version_num='[^']*' WHERE alembic_version\.version_num = '[^']*'"
    r"|DELETE FROM alembic_version WHERE alembic_version\.version_num = '[^']*');$")
A_HEAD = re.compile(r"^-- Running upgrade (.*) -> (\S+)$")
# strata's closing line: "-- N migrations would be applied; nothing was changed".
TRAILER = re.compile(r"^-- \d+ migrations? would be ")
# The dry run's stop: "strata: error: FILE:LINE: app:REV: upgrade() cannot be translated ...".
STOPPED = re.compile(r"^strata: error: .*?: app:(\S+): ", re.M)


# --------------------------------------------------------------------------
# The Alembic side, run as `alembic-coverage.py --harness ...` by the Debian
# python3 in the throw-away project.

def harness(proj, roots, assume, arguments, out):
    import importlib.abc
    import importlib.machinery
    import io
    import traceback
    import types

    sys.path.extend(roots)  # after the standard library and the installed packages
    versions = os.path.realpath(os.path.join(proj, "alembic", "versions"))
    roots_r = [os.path.realpath(r) + os.sep for r in roots]
    res = {}            # rev -> {"sql": ...} | {"error": ...}
    taint = {}          # rev -> first stub use
    tainted_mods = set()
    state = {"loading": None, "buf": None, "global": []}
    file_rev = {}       # revision file -> revision id

    def in_versions(fn):
        return os.path.realpath(fn).startswith(versions + os.sep)

    def in_roots(fn):
        r = os.path.realpath(fn)
        return any(r.startswith(x) for x in roots_r) and not in_versions(fn)

    def running_rev():
        b = state["buf"]
        if b is None:
            return None
        heads = re.findall(r"^-- Running upgrade .* -> (\S+)$", b.getvalue(), re.M)
        return heads[-1] if heads else None

    # Alembic 1.8.1 passes create_index(if_not_exists=) / drop_index(if_exists=)
    # (Alembic 1.12's arguments) to SQLAlchemy as dialect options, which warns
    # "Can't validate argument" and prints the statement without them; strata
    # prints what the newer Alembic prints, so such a revision is not judged.
    import warnings
    newer = {}
    shown = warnings.showwarning

    def showwarning(message, category, filename, lineno, file=None, line=None):
        m = re.search(r"Can't validate argument '(if_exists|if_not_exists)'", str(message))
        rev = running_rev()
        if m and rev is not None:
            newer.setdefault(rev, m.group(1))
            return
        shown(message, category, filename, lineno, file, line)
    warnings.showwarning = showwarning
    warnings.simplefilter("always")

    def stub_used(what):
        f = sys._getframe(1)
        rev = None
        while f is not None:
            fn = f.f_code.co_filename
            if rev is None and in_versions(fn):
                rev = file_rev.get(os.path.realpath(fn), ("file", os.path.realpath(fn)))
            elif in_roots(fn):
                tainted_mods.add(f.f_globals.get("__name__"))
            f = f.f_back
        if rev is None:
            rev = running_rev()
        if rev is None and state["loading"]:
            rev = ("file", os.path.realpath(state["loading"]))
        if rev is None:
            state["global"].append(what)
        else:
            taint.setdefault(rev if isinstance(rev, str) else rev[1], what)

    class StubMeta(type):
        def __getattr__(cls, name):
            if name.startswith("__") and name.endswith("__"):
                raise AttributeError(name)
            return Stub(cls.__name__ + "." + name)

    class StubBase(metaclass=StubMeta):
        def __init_subclass__(cls, **k):  # class X(Base, validate_assignment=True)
            pass

        def __init__(self, *a, **k):
            pass

        def __getattr__(self, name):
            if name.startswith("__") and name.endswith("__"):
                raise AttributeError(name)
            return Stub(type(self).__name__ + "()." + name)

    class Stub:
        def __init__(self, path):
            object.__setattr__(self, "_stub_path", path)

        def __getattr__(self, name):
            if name.startswith("__") and name.endswith("__"):
                raise AttributeError(name)
            return Stub(self._stub_path + "." + name)

        def __setattr__(self, name, value):
            pass

        def __call__(self, *a, **k):
            if state["buf"] is not None:  # application code a revision runs
                stub_used(f"call of {self._stub_path}() of a missing module")
            return Stub(self._stub_path + "()")

        def __getitem__(self, k):
            return Stub(self._stub_path + "[]")

        def __setitem__(self, k, v):
            pass

        def __delitem__(self, k):
            pass

        def __mro_entries__(self, bases):
            real = [b for b in bases if not isinstance(b, (Stub, StubModule))]
            first = next(b for b in bases if isinstance(b, (Stub, StubModule)))
            return () if real or first is not self else (StubBase,)

        def _value(self, how, v):
            stub_used(f"{how}({self._stub_path}) of a missing module")
            return v

        def __str__(self):
            return self._value("str", f"<<stub {self._stub_path}>>")

        __repr__ = __str__

        def __format__(self, spec):
            return self._value("format", f"<<stub {self._stub_path}>>")

        def __bool__(self):
            return self._value("bool", True)

        def __int__(self):
            return self._value("int", 0)

        __index__ = __int__

        def __float__(self):
            return self._value("float", 0.0)

        def __iter__(self):
            return self._value("iter", iter(()))

        def __len__(self):
            return self._value("len", 0)

        def __contains__(self, x):
            return self._value("in", False)

        def __lt__(self, o):
            return self._value("compare", False)

        __le__ = __gt__ = __ge__ = __lt__

    class Noop(Stub):
        """arguments: NAME: noop -- an object every call of which does
        nothing (quay's NoopTester); as a value it is a stub."""

        def __getattr__(self, name):
            if name.startswith("__") and name.endswith("__"):
                raise AttributeError(name)
            return Noop(self._stub_path + "." + name)

        def __call__(self, *a, **k):
            return Noop(self._stub_path + "()")

    class HistoryTables:
        """arguments: NAME: tables -- tables.X is the sa.Table that
        op.create_table() returned for X in an earlier revision of this run,
        with the op.add_column() columns since; a table altered any other way
        (alter_column, drop_column, rename_table, drop_table, batch mode, an
        ALTER TABLE string) is no longer known, and then, as any table never
        created, a stub."""

        def __getattr__(self, name):
            if name.startswith("__") and name.endswith("__"):
                raise AttributeError(name)
            return history[name] if name in history else Stub("tables." + name)

        __getitem__ = __getattr__

    history = {}

    class StubModule(types.ModuleType):
        def __getattr__(self, name):
            if name.startswith("__") and name.endswith("__"):
                raise AttributeError(name)
            return Stub(self.__name__ + "." + name)

        def __call__(self, *a, **k):
            return Stub(self.__name__)(*a, **k)

        def __mro_entries__(self, bases):
            real = [b for b in bases if not isinstance(b, (Stub, StubModule))]
            first = next(b for b in bases if isinstance(b, (Stub, StubModule)))
            return () if real or first is not self else (StubBase,)

    class StubFinder(importlib.abc.MetaPathFinder, importlib.abc.Loader):
        """Last on sys.meta_path: a module nothing else finds, imported by
        the tree's own code (a revision or the application), is a stub."""

        def find_spec(self, name, path, target=None):
            f = sys._getframe(1)
            while f is not None and f.f_code.co_filename.startswith("<frozen"):
                f = f.f_back
            if f is None or not (in_versions(f.f_code.co_filename) or in_roots(f.f_code.co_filename)):
                return None
            parent = name.rpartition(".")[0]
            if parent and not isinstance(sys.modules.get(parent), StubModule):
                return None  # a module missing from a real package is an ImportError
            return importlib.machinery.ModuleSpec(name, self, is_package=True)

        def create_module(self, spec):
            m = StubModule(spec.name)
            m.__path__ = []
            m.__stub__ = True
            return m

        def exec_module(self, module):
            pass

    import alembic.util
    from alembic import util as autil
    from alembic.config import Config
    from alembic.runtime.environment import EnvironmentContext
    from alembic.script import ScriptDirectory
    import alembic.script.base as sbase
    import sqlalchemy.dialects.postgresql  # noqa: F401 (before any stub)

    sys.meta_path.append(StubFinder())

    def last_line(e):
        return traceback.format_exception_only(type(e), e)[-1].strip()

    load_errors = {}

    def proxy(obj, keys):
        class Assumed:
            def __getattr__(self, name):
                sub = {k[1:]: v for k, v in keys.items() if k[0] == name}
                if () in sub:
                    return sub[()]
                if sub:
                    return proxy(getattr(obj, name, None), sub)
                return getattr(obj, name)

            def get(self, key, *default):  # X.get("K"[, d]): the assumption X.K, as strata reads it
                if (key,) in keys:
                    return keys[(key,)]
                return getattr(obj, "get")(key, *default)
        return Assumed()

    real_load = autil.load_python_file

    def load(dir_, filename):
        path = os.path.join(dir_, filename)
        if not in_versions(path):
            return real_load(dir_, filename)
        state["loading"] = path
        try:
            try:
                mod = real_load(dir_, filename)
            except Exception as e:
                mod = placeholder(path, last_line(e))
            rev = getattr(mod, "revision", None)
            if isinstance(rev, str):
                file_rev[os.path.realpath(path)] = rev
                if os.path.realpath(path) in taint:
                    taint.setdefault(rev, taint.pop(os.path.realpath(path)))
            byname = {}
            for k, v in assume.items():
                parts = tuple(k.split("."))
                if len(parts) > 1 and parts[0] in vars(mod):
                    byname.setdefault(parts[0], {})[parts[1:]] = v
            for n, keys in byname.items():
                setattr(mod, n, proxy(getattr(mod, n), keys))
            if callable(getattr(mod, "upgrade", None)):
                mod.upgrade = with_params(mod.upgrade)
            return mod
        finally:
            state["loading"] = None

    def record_history():
        from alembic.operations import Operations
        import sqlalchemy as sa

        def wrap(name, after):
            real = getattr(Operations, name)

            @functools.wraps(real)
            def f(self, *a, **k):
                r = real(self, *a, **k)
                after(r, *a, **k)
                return r
            setattr(Operations, name, f)

        def created(r, *a, **k):
            if isinstance(r, sa.Table) and r.schema is None:
                history[r.name] = r

        def added(r, table_name, column, schema=None, **k):
            t = history.get(table_name)
            if t is not None and schema is None:
                t.append_column(column.copy())

        def forget(r, table_name=None, *a, **k):
            history.pop(table_name or k.get("table_name"), None)

        def executed(r, sqltext, *a, **k):
            text = sqltext if isinstance(sqltext, str) else getattr(sqltext, "text", "")
            for m in re.finditer(r"ALTER\s+TABLE\s+(?:ONLY\s+)?\"?(\w+)", str(text), re.I):
                history.pop(m.group(1), None)

        wrap("create_table", created)
        wrap("add_column", added)
        for n in ("alter_column", "drop_column", "drop_table", "batch_alter_table"):
            wrap(n, forget)
        wrap("rename_table", lambda r, old, new, *a, **k: (history.pop(old, None), history.pop(new, None)))
        wrap("execute", executed)

    def with_params(fn):
        """upgrade(op, tables, tester), as quay's env.py calls it through
        context.run_migrations(op=alembic.op, ...): alembic.op for a
        parameter named op, a stub for any other required one."""
        import inspect
        from alembic import op as alembic_op
        try:
            sig = inspect.signature(fn)
        except (TypeError, ValueError):
            return fn
        need = [p.name for p in sig.parameters.values() if p.default is p.empty
                and p.kind in (p.POSITIONAL_OR_KEYWORD, p.KEYWORD_ONLY)]
        if not need:
            return fn

        @functools.wraps(fn)  # Alembic's "-- Running upgrade" takes the name
        def call(**kw):
            args = {}
            for n in need:
                kind = arguments.get(n)
                args[n] = (Noop(n) if kind == "noop" else HistoryTables() if kind == "tables"
                           else alembic_op if n == "op" and kind is None
                           else Stub(f"upgrade() parameter {n}"))
            return fn(**args, **kw)
        return call

    def placeholder(path, err):
        mod = types.ModuleType("placeholder")
        tree = ast.parse(open(path, encoding="utf-8").read())  # a SyntaxError fails the tree, as in Alembic
        for node in tree.body:
            tgt = None
            if isinstance(node, ast.Assign) and len(node.targets) == 1:
                tgt, val = node.targets[0], node.value
            elif isinstance(node, ast.AnnAssign) and node.value is not None:
                tgt, val = node.target, node.value
            if isinstance(tgt, ast.Name) and tgt.id in ("revision", "down_revision", "branch_labels",
                                                          "depends_on"):
                try:
                    setattr(mod, tgt.id, ast.literal_eval(val))
                except ValueError:
                    pass
        for k in ("down_revision", "branch_labels", "depends_on"):
            if not hasattr(mod, k):
                setattr(mod, k, None)

        def upgrade(*a, **k):  # named so: Alembic's "-- Running upgrade" line takes the name
            raise ImportError(f"the revision file does not import: {err}")
        mod.upgrade = mod.downgrade = upgrade
        if isinstance(getattr(mod, "revision", None), str):
            load_errors[mod.revision] = err
        return mod

    autil.load_python_file = load
    alembic.util.load_python_file = load
    sbase.util.load_python_file = load

    if "tables" in arguments.values():
        record_history()
    cfg = Config(os.path.join(proj, "alembic.ini"))
    cfg.set_main_option("script_location", os.path.join(proj, "alembic"))
    cfg.set_main_option("sqlalchemy.url", "postgresql://")
    script = ScriptDirectory.from_config(cfg)
    revs = {r.revision: r for r in script.walk_revisions("base", "heads")}

    def run(start, dest):
        """The body of alembic.command.upgrade(cfg, "START:DEST", sql=True)."""
        buf = io.StringIO()
        cfg.output_buffer = buf
        state["buf"] = buf
        err = None

        def upgrade(rev, context):
            return script._upgrade_revs(dest, rev)
        try:
            with EnvironmentContext(cfg, script, fn=upgrade, as_sql=True, starting_rev=start,
                                    destination_rev=dest, tag=None):
                script.run_env()
        except BaseException as e:  # SystemExit too: a revision may call sys.exit
            err = last_line(e)
        state["buf"] = None
        return buf.getvalue(), err

    def blocks(text):
        out, cur = {}, None
        for line in text.split("\n"):
            m = A_HEAD.match(line)
            if m:
                cur = m.group(2)
                out[cur] = []
            elif cur is not None:
                out[cur].append(line)
        return out

    text, err = run("base", "heads")
    got = blocks(text)
    order = list(got)
    if err is not None and order:
        res[order[-1]] = {"error": err}
        del got[order[-1]]
    for r, lines in got.items():
        res[r] = {"sql": "\n".join(lines)}
    batch = err is None
    for r in reversed(list(revs)):  # walk_revisions() goes from the heads down
        if r in res:
            continue
        parents = set(revs[r]._all_down_revisions)
        anc = set()
        for p in parents:
            anc |= {x.revision for x in script.revision_map._get_ancestor_nodes(
                [script.revision_map.get_revision(p)]) if x.revision != p}
        start = tuple(sorted(parents - anc)) or "base"
        text, err = run(start, r)
        b = blocks(text)
        if err is not None or r not in b:
            res[r] = {"error": err or "no block printed for the revision"}
        else:
            res[r] = {"sql": "\n".join(b[r])}
    for r, e in load_errors.items():
        res[r] = {"error": f"the revision file does not import: {e}"}
    for r, v in res.items():
        if r in newer and "sql" in v:
            res[r] = {"error": f"Alembic 1.8.1 ignores {newer[r]}= (SAWarning: Can't validate argument): "
                               "strata prints what Alembic >= 1.12 prints"}
            continue
        if r in taint:
            then = f" (then {v['error']})" if "error" in v else ""
            res[r] = {"error": f"a stub was used: {taint[r]}{then}", "stub": True}
            continue
        if "sql" not in v:
            continue
        if "<<stub " in v["sql"]:
            res[r] = {"error": "a stub of a missing module reached the SQL", "stub": True}
            continue
        mod = revs[r].module if r in revs else None
        uses = []
        if mod is not None:
            for n, x in vars(mod).items():
                mn = x.__name__ if isinstance(x, types.ModuleType) else getattr(x, "__module__", None)
                if mn in tainted_mods or (mn and any(mn.startswith(t + ".") for t in tainted_mods if t)):
                    uses.append(n)
                elif state["global"] and (isinstance(x, (Stub, StubModule, StubMeta)) or (
                        isinstance(x, types.ModuleType) and getattr(x, "__file__", None)
                        and in_roots(x.__file__))):
                    uses.append(n)
        if uses:
            why = (f"uses {', '.join(sorted(uses))}, from application code that used a stub "
                   f"as a value ({(state['global'] or ['at import'])[0]})")
            res[r] = {"error": why, "stub": True}
    json.dump({"results": res, "batch": batch, "global_stub_uses": state["global"][:5]},
              open(out, "w"), indent=1)


# --------------------------------------------------------------------------
# The strata side and the comparison.

def sh(argv, **kw):
    return subprocess.run(argv, stdin=subprocess.DEVNULL, capture_output=True, text=True, **kw)


def project_root(d):
    """The nearest folder above d holding .git, pyproject.toml, setup.py or
    setup.cfg."""
    d = os.path.abspath(d)
    while d != "/":
        if any(os.path.exists(os.path.join(d, m)) for m in (".git", "pyproject.toml", "setup.py", "setup.cfg")):
            return d
        d = os.path.dirname(d)
    return None


def parse_scalar(s):
    s = s.strip()
    if len(s) >= 2 and s[0] == s[-1] and s[0] in "\"'":
        return s[1:-1]
    if s in ("true", "True"):
        return True
    if s in ("false", "False"):
        return False
    if s in ("null", "~", ""):
        return None
    for f in (int, float):
        try:
            return f(s)
        except ValueError:
            pass
    return s


def read_mapping(text, key):
    """The KEY: mapping of a source-options snippet (assume:, arguments:): the
    flow form `KEY: {a.b: v, ...}` or a block of `key: value` lines under it."""
    out = {}
    lines = text.split("\n")
    for i, line in enumerate(lines):
        m = re.match(r"^(\s*)" + key + r":\s*(.*)$", line)
        if not m:
            continue
        rest = m.group(2).strip()
        if rest.startswith("{"):
            body = rest.strip("{}")
            for part in re.findall(r"""((?:[^,"']|"[^"]*"|'[^']*')+)""", body):
                k, _, v = part.partition(":")
                if k.strip():
                    out[k.strip().strip("\"'")] = parse_scalar(v)
        else:
            ind = len(m.group(1))
            for l2 in lines[i + 1:]:
                if not l2.strip():
                    continue
                if len(l2) - len(l2.lstrip()) <= ind:
                    break
                k, _, v = l2.strip().partition(":")
                out[k.strip().strip("\"'")] = parse_scalar(v)
    return out


def indent_opts(text):
    lines = [l for l in text.split("\n") if l.strip()]
    if not lines:
        return ""
    cut = min(len(l) - len(l.lstrip()) for l in lines)
    return "".join("    " + l[cut:] + "\n" for l in lines)


def pg_url(base, db):
    u = urllib.parse.urlsplit(base)
    return urllib.parse.urlunsplit((u.scheme, u.netloc, "/" + db, u.query, u.fragment))


def psql(base, sql):
    p = sh(["psql", "-X", "-q", "-d", base, "-v", "ON_ERROR_STOP=1", "-c", sql])
    if p.returncode:
        raise RuntimeError(f"psql: {p.stderr.strip()}")


def strata_side(strata, tree, work, pgbase, dbname, sql_filter):
    """translated set, untranslatable {rev: reason}, ledger order, and each
    translated revision's dry-run block {rev: [lines]}."""
    cfg = os.path.join(work, "strata.yaml")
    with open(cfg, "w") as f:
        f.write(f"sources:\n  - name: app\n    format: alembic\n    path: {tree['versions']}\n")
        f.write(indent_opts(tree["opts"]))
    db = pg_url(pgbase, dbname)
    psql(pgbase, f'DROP DATABASE IF EXISTS "{dbname}"')
    psql(pgbase, f'CREATE DATABASE "{dbname}"')
    base = [strata, "-c", cfg, "--db", db]
    p = sh(base + ["--json", "ledger"], cwd=work)
    if p.returncode:
        raise RuntimeError(f"strata ledger failed ({p.returncode}): {p.stderr.strip()[-500:]}")
    migs = json.loads(p.stdout)["migrations"]
    order = [m["version"] for m in migs]
    untr = {m["version"]: m["untranslatable"] for m in migs if "untranslatable" in m}
    files = {m["version"]: m["file"] for m in migs}
    got = {}
    head = re.compile(r"^-- apply app:(\S+) ")
    for _ in range(len(order) + 1):
        p = sh(base + ["apply", "--dry-run"], cwd=work)
        out = p.stdout
        if sql_filter:
            out = subprocess.run(["sh", "-c", sql_filter], input=out, capture_output=True, text=True).stdout
        cur = None
        for line in out.split("\n"):
            m = head.match(line)
            if m and m.group(1) in files:
                cur = m.group(1)
                if cur in got:
                    cur = "_seen"
                got.setdefault(cur, [])
                continue
            if cur is not None:
                got[cur].append(line)
        got.pop("_seen", None)
        if p.returncode == 0:
            break
        m = STOPPED.search(p.stderr)
        if not m or m.group(1) not in untr:  # only where the ledger says so
            raise RuntimeError(f"strata apply --dry-run failed ({p.returncode}): {p.stderr.strip()[-500:]}")
        got.pop(m.group(1), None)
        q = sh(base + ["-q", "baseline", "--to", "app:" + m.group(1)], cwd=work)
        if q.returncode:
            raise RuntimeError(f"strata baseline --to app:{m.group(1)} failed: {q.stderr.strip()[-500:]}")
    psql(pgbase, f'DROP DATABASE IF EXISTS "{dbname}"')
    return order, untr, files, got


def alembic_side(tree, work):
    proj = os.path.join(work, "alembic-proj")
    p = sh(["/usr/bin/alembic", "init", "-t", "generic", os.path.join(proj, "alembic")], cwd=work,
           env=clean_env())
    if p.returncode:
        raise RuntimeError(f"alembic init failed: {p.stderr.strip()}")
    ini = os.path.join(work, "alembic.ini")
    if os.path.exists(ini):
        shutil.move(ini, os.path.join(proj, "alembic.ini"))
    vdir = os.path.join(proj, "alembic", "versions")
    shutil.rmtree(vdir)
    shutil.copytree(tree["versions"], vdir, symlinks=False,
                    ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
    out = os.path.join(work, "alembic.json")
    p = sh([PY, os.path.abspath(__file__), "--harness", proj, json.dumps(tree["roots"]),
            json.dumps({"assume": tree["assume"], "arguments": tree["arguments"]}), out], cwd=proj, env=clean_env(), timeout=1800)
    if p.returncode or not os.path.exists(out):
        raise RuntimeError(f"the Alembic harness failed ({p.returncode}): {p.stderr.strip()[-1500:]}")
    return json.load(open(out))


def clean_env():
    env = {k: v for k, v in os.environ.items()
           if k not in ("PYTHONPATH", "PYTHONHOME", "PYTHONSTARTUP", "VIRTUAL_ENV", "DATABASE_URL")}
    env["PYTHONDONTWRITEBYTECODE"] = "1"
    return env


def split_stmts(lines):
    body = "\n".join(lines).strip("\n")
    if not body:
        return []
    return re.split(r"(?<=;)\n\n", body)


def norm_strata(lines):
    lines = list(lines)
    while lines and lines[-1] == "":
        lines.pop()
    if lines and TRAILER.match(lines[-1]):
        lines.pop()
    while lines and lines[-1] == "":
        lines.pop()
    tx = len(lines) >= 2 and lines[0] == "BEGIN;" and lines[-1] == "COMMIT;"
    return split_stmts(lines[1:-1] if tx else lines), tx


def norm_alembic(sql, last):
    st = split_stmts(sql.split("\n"))
    if last and st and st[-1] == "COMMIT;":
        st.pop()
    while st and VERSION_STMT.match(st[-1]):
        st.pop()
    tx = True
    for i in range(len(st) - 1):
        if st[i] == "COMMIT;" and "BEGIN;" in st[i + 1:]:
            tx = False
    if not tx:
        st = [s for s in st if s not in ("COMMIT;", "BEGIN;")]
    return st, tx


def bench_tree(args, tree, idx, pgbase):
    work = tempfile.mkdtemp(prefix=f"strata-cov-{tree['name']}-")
    try:
        order, untr, files, sgot = strata_side(args.strata, tree, work, pgbase, f"strata_cov_{idx}",
                                               args.strata_sql_filter)
        ares = alembic_side(tree, work)["results"]
    finally:
        shutil.rmtree(work, ignore_errors=True)
    r = {"name": tree["name"], "total": len(order), "translated": 0, "identical": [], "differ": [],
         "failed": [], "untranslatable": untr, "missing": [], "files": files, "unrendered": {}}
    for rev in order:
        if rev in untr:
            a = ares.get(rev)
            if a is None or "sql" not in a:
                r["unrendered"][rev] = a["error"] if a else "Alembic printed no block for it"
            continue
        r["translated"] += 1
        if rev not in sgot:
            r["missing"].append((rev, "strata printed no block for it"))
            continue
        a = ares.get(rev)
        if a is None:
            r["failed"].append((rev, "Alembic printed no block for it"))
            continue
        if "sql" not in a:
            r["failed"].append((rev, a["error"]))
            continue
        s_st, s_tx = norm_strata(sgot[rev])
        a_st, a_tx = norm_alembic(a["sql"], True)
        if s_st == a_st and s_tx == a_tx:
            r["identical"].append(rev)
        else:
            at = "\n\n".join(a_st).split("\n") + ([] if a_tx else ["-- (autocommit_block)"])
            st = "\n\n".join(s_st).split("\n") + ([] if s_tx else ["-- (autocommit_block)"])
            d = "\n".join(difflib.unified_diff(at, st, "alembic " + rev, "strata " + rev, lineterm=""))
            r["differ"].append((rev, d))
    return r


def main():
    if len(sys.argv) > 1 and sys.argv[1] == "--harness":
        proj, roots, opts, out = sys.argv[2], json.loads(sys.argv[3]), json.loads(sys.argv[4]), sys.argv[5]
        harness(proj, roots, opts["assume"], opts["arguments"], out)
        return 0
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("strata")
    ap.add_argument("trees", nargs="+", metavar="[NAME=]VERSIONS")
    ap.add_argument("--opts", action="append", default=[], metavar="NAME=FILE")
    ap.add_argument("--pythonpath", action="append", default=[], metavar="NAME=DIR")
    ap.add_argument("--pg")
    ap.add_argument("--strata-sql-filter")
    ap.add_argument("-v", "--verbose", action="store_true")
    ap.add_argument("-j", type=int, default=os.cpu_count() or 2)
    args = ap.parse_args()
    args.strata = os.path.abspath(args.strata)
    trees = []
    for t in args.trees:
        name, _, d = t.rpartition("=")
        d = os.path.abspath(d)
        if not os.path.isdir(d):
            sys.exit(f"alembic-coverage: {d}: no such folder")
        root = project_root(d) or os.path.dirname(os.path.dirname(d))
        roots = [root] + ([os.path.join(root, "src")] if os.path.isdir(os.path.join(root, "src")) else [])
        trees.append({"name": name or os.path.basename(root), "versions": d, "roots": roots, "opts": "",
                      "assume": {}, "arguments": {}})
    byname = {t["name"]: t for t in trees}
    for o in args.opts + args.pythonpath:
        n, _, v = o.partition("=")
        if n not in byname:
            sys.exit(f"alembic-coverage: {o}: no tree named {n}")
    for o in args.opts:
        n, _, f = o.partition("=")
        byname[n]["opts"] += open(f).read() + "\n"
        byname[n]["assume"].update(read_mapping(open(f).read(), "assume"))
        byname[n]["arguments"].update(read_mapping(open(f).read(), "arguments"))
    for o in args.pythonpath:
        n, _, d = o.partition("=")
        byname[n]["roots"].append(os.path.abspath(d))

    cluster = None
    pgbase = args.pg or os.environ.get("STRATA_TEST_PG")
    if not pgbase:
        cluster = tempfile.mkdtemp(prefix="strata-cov-pg-")
        os.chmod(cluster, 0o755)
        p = sh(["bash", CLUSTER, "start", cluster])
        if p.returncode:
            sys.exit(f"alembic-coverage: cluster.sh start failed: {p.stderr.strip()}")
        env = dict(re.findall(r"(\w+)='?([^'\s]*)'?", open(os.path.join(cluster, "env")).read()))
        pgbase = env["STRATA_TEST_PG"]
    try:
        with concurrent.futures.ThreadPoolExecutor(max(1, args.j)) as ex:
            futs = [ex.submit(bench_tree, args, t, i, pgbase) for i, t in enumerate(trees)]
            results = []
            for t, f in zip(trees, futs):
                try:
                    results.append(f.result())
                except Exception as e:
                    print(f"alembic-coverage: {t['name']}: {e}", file=sys.stderr)
                    return 2
    finally:
        if cluster:
            sh(["bash", CLUSTER, "stop", cluster])
            shutil.rmtree(cluster, ignore_errors=True)

    w = max([len(r["name"]) for r in results] + [5])
    print(f"{'tree':<{w}}  {'translated':>14}  {'identical':>9}  {'differ':>6}  {'alembic-failed':>14}")
    tot = {"translated": 0, "total": 0, "identical": 0, "differ": 0, "failed": 0, "missing": 0}
    for r in results:
        tr, n = r["translated"], r["total"]
        print(f"{r['name']:<{w}}  {tr:>5}/{n:<5} {pct(tr, n):>3}  {len(r['identical']):>9}  "
              f"{len(r['differ']):>6}  {len(r['failed']):>14}"
              + (f"  ({len(r['missing'])} not printed by strata)" if r["missing"] else ""))
        for k in ("translated", "total"):
            tot[k] += r[k]
        for k in ("identical", "differ", "failed", "missing"):
            tot[k] += len(r[k])
    print(f"{'total':<{w}}  {tot['translated']:>5}/{tot['total']:<5} {pct(tot['translated'], tot['total']):>3}  "
          f"{tot['identical']:>9}  {tot['differ']:>6}  {tot['failed']:>14}"
          + (f"  ({tot['missing']} not printed by strata)" if tot["missing"] else ""))
    comparable = tot["identical"] + tot["differ"]
    print(f"identical: {tot['identical']} of {comparable} comparable translated revisions")
    unr = sum(len(r["unrendered"]) for r in results)
    rend = tot["total"] - unr
    print(f"renderable: {tot['translated']} of {rend} ({100 * tot['translated'] / rend if rend else 0:.1f} %) "
          f"translated; {unr} untranslatable revisions Alembic cannot render either")
    why = {}
    for r in results:
        for _, w in r["failed"]:
            why[w] = why.get(w, 0) + 1
    if why:
        print("alembic-failed, by Alembic's error:")
        for w, k in sorted(why.items(), key=lambda x: (-x[1], x[0])):
            print(f"  {k:4d}  {w[:200]}")
    for r in results:
        for rev, d in r["differ"]:
            print(f"DIFFERS {r['name']} {rev} {r['files'][rev]}")
            if args.verbose:
                print(d)
        for rev, why in r["missing"]:
            print(f"MISSING {r['name']} {rev} {r['files'][rev]}: {why}")
        if args.verbose:
            for rev, why in r["failed"]:
                print(f"ALEMBIC-FAILED {r['name']} {rev} {os.path.basename(r['files'][rev])}: {why}")
            for rev, why in r["untranslatable"].items():
                tag = "UNRENDERED" if rev in r["unrendered"] else "RENDERABLE"
                print(f"UNTRANSLATABLE {tag} {r['name']} {rev} {os.path.basename(r['files'][rev])}: {why}"
                      + (f" [Alembic: {r['unrendered'][rev][:200]}]" if rev in r["unrendered"] else ""))
    return 1 if tot["differ"] or tot["missing"] else 0


def pct(a, n):
    return f"{round(100 * a / n) if n else 0}%"


if __name__ == "__main__":
    sys.exit(main())
