"""pgserver.py — a private PostgreSQL server (15 on Debian 12, 17 on 13) for the uplink tests.

initdb into a temporary directory, then pg_ctl with a Unix socket only
(listen_addresses=''). PostgreSQL refuses to run as root, so under root the
server runs as 'nobody' (setpriv); the directory is handed to that user.
Connection strings use the socket directory as host."""
import os
import pwd
import shutil
import subprocess
import tempfile
import time

# Hang guards (never timing checks) grow with MC_TEST_TIMEOUT_SCALE, which
# ctest sets with each test's TIMEOUT (20 under qemu-user, where every
# kioskd the uplink tests start is emulated).
SCALE = max(1, int(os.environ.get("MC_TEST_TIMEOUT_SCALE", "1")))


def _pgbin():
    """The newest installed server's programs: PostgreSQL 15 on Debian 12,
    17 on Debian 13 (postgresql's version is in the path)."""
    found = []
    for v in os.listdir("/usr/lib/postgresql") if os.path.isdir("/usr/lib/postgresql") else []:
        b = os.path.join("/usr/lib/postgresql", v, "bin")
        if v.isdigit() and os.access(os.path.join(b, "initdb"), os.X_OK):
            found.append((int(v), b))
    return max(found)[1] if found else "/usr/lib/postgresql/15/bin"


PGBIN = _pgbin()
PSQL = shutil.which("psql") or os.path.join(PGBIN, "psql")


class PgServer:
    def __init__(self, base=None):
        self.dir = tempfile.mkdtemp(prefix="mc-pg-", dir=base)
        os.chmod(self.dir, 0o755)
        self.data = os.path.join(self.dir, "data")
        self.sock = os.path.join(self.dir, "sock")
        os.mkdir(self.sock)
        os.chmod(self.sock, 0o777)
        self.log = os.path.join(self.dir, "server.log")
        self.prefix = []
        if os.geteuid() == 0:
            pw = pwd.getpwnam("nobody")
            os.chown(self.dir, pw.pw_uid, pw.pw_gid)
            os.chown(self.sock, pw.pw_uid, pw.pw_gid)
            self.prefix = ["setpriv", "--reuid=%d" % pw.pw_uid, "--regid=%d" % pw.pw_gid,
                           "--clear-groups", "--"]
            self.superuser = "nobody"
        else:
            self.superuser = pwd.getpwuid(os.geteuid()).pw_name
        self.run([os.path.join(PGBIN, "initdb"), "-D", self.data, "-A", "trust", "-E", "UTF8",
                  "--locale=C.UTF-8", "-U", "postgres"], quiet=True)
        self.superuser = "postgres"

    def run(self, argv, quiet=False):
        subprocess.run(self.prefix + argv, check=True, cwd="/",
                       stdout=subprocess.DEVNULL if quiet else None,
                       stderr=subprocess.STDOUT if quiet else None)

    def start(self):
        opts = "-k %s -c listen_addresses='' -c fsync=off -c max_connections=200" % self.sock
        self.run([os.path.join(PGBIN, "pg_ctl"), "-D", self.data, "-l", self.log, "-w",
                  "-o", opts, "start"], quiet=True)

    def stop(self, mode="fast"):
        self.run([os.path.join(PGBIN, "pg_ctl"), "-D", self.data, "-m", mode, "-w", "stop"], quiet=True)

    def url(self, user="postgres", dbname="city", password=None):
        s = "host=%s port=5432 dbname=%s user=%s" % (self.sock, dbname, user)
        if password:
            s += " password=%s" % password
        return s

    def psql(self, sql, user="postgres", dbname="city", check=True):
        """Runs sql, returns rows as lists of strings ('|'-separated output)."""
        p = subprocess.run([PSQL, "-X", "-q", "-A", "-t", "-F", "|", "-v", "ON_ERROR_STOP=1",
                            "-d", self.url(user, dbname), "-c", sql],
                           capture_output=True, text=True)
        if check and p.returncode != 0:
            raise RuntimeError("psql failed: %s" % p.stderr)
        if not check:
            return p
        return [line.split("|") for line in p.stdout.splitlines() if line]

    def createdb(self, name="city"):
        self.psql("CREATE DATABASE %s" % name, dbname="postgres")

    def cleanup(self):
        try:
            self.stop("immediate")
        except Exception:
            pass
        shutil.rmtree(self.dir, ignore_errors=True)


def wait_for(pred, timeout=60, step=0.1, what="condition"):
    """pred's first true value; timeout (seconds, times SCALE) only ends a
    wait that would never end."""
    end = time.monotonic() + timeout * SCALE
    while time.monotonic() < end:
        v = pred()
        if v:
            return v
        time.sleep(step)
    raise AssertionError("timed out waiting for %s" % what)
