"""Helpers the PostgreSQL benchmarks share: databases on the private cluster."""
import os
import subprocess

QUIET = dict(os.environ, PGOPTIONS="-c client_min_messages=warning")


def psql(db, sql):
    subprocess.run(["psql", "-X", "-q", "-v", "ON_ERROR_STOP=1", "-d", db, "-c", sql],
                   check=True, env=QUIET)


def url(base, db):
    """The cluster URL base pointed at database db."""
    head, _, params = base.partition("?")
    return head.rsplit("/", 1)[0] + "/" + db + ("?" + params if params else "")


def fresh(db):
    psql("postgres", f'DROP DATABASE IF EXISTS "{db}" WITH (FORCE)')
    psql("postgres", f'CREATE DATABASE "{db}"')


TICK = os.sysconf("SC_CLK_TCK")


def server_cpu(data):
    """CPU seconds the cluster of data directory data has used: the
    postmaster's own and its reaped children's (a backend ends with its
    connection), plus its live children.  Clock ticks: read it around many
    runs, not one."""
    with open(os.path.join(data, "postmaster.pid")) as f:
        pm = f.readline().strip()

    def fields(pid):
        with open(f"/proc/{pid}/stat") as f:
            return f.read().rsplit(")", 1)[1].split()
    f = fields(pm)
    t = sum(int(x) for x in f[11:15])  # utime stime cutime cstime
    for d in os.listdir("/proc"):
        if d.isdigit() and d != pm:
            try:
                g = fields(d)
            except OSError:
                continue
            if g[1] == pm:
                t += int(g[11]) + int(g[12])
    return t / TICK
