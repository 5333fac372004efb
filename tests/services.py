"""Throwaway Redis and PostgreSQL servers for the fault tests and bench/faults.py.

Each runs on 127.0.0.1 on a free port with its data in a temporary folder, and is stopped
by its own PID: the machine's shared servers are never touched.
"""

import glob
import http.client
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import redis


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_for(condition, timeout, what):
    """Poll ``condition`` until it is true; fail after ``timeout`` seconds."""
    deadline = time.monotonic() + timeout
    while True:
        if condition():
            return
        if time.monotonic() > deadline:
            raise TimeoutError(f"gave up waiting for {what}")
        time.sleep(0.05)


class ThrowawayRedis:
    """``redis-server`` on a free port, no persistence."""

    def __init__(self):
        self.port = free_port()
        self.folder = tempfile.mkdtemp(prefix="newsroom-redis-")
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.process = None
        self._hang = None
        self._counter = None

    def start(self):
        os.makedirs(self.folder, exist_ok=True)
        self.process = subprocess.Popen(
            [
                shutil.which("redis-server") or "/usr/bin/redis-server",
                "--port",
                str(self.port),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no",
                "--dir",
                self.folder,
                "--enable-debug-command",
                "local",
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        wait_for(self.answers, 10, "redis-server to start")
        return self

    def client(self, timeout=2):
        return redis.Redis(port=self.port, socket_timeout=timeout, socket_connect_timeout=timeout)

    def answers(self, timeout=0.2):
        try:
            return self.client(timeout).ping()
        except redis.RedisError:
            return False

    def hang(self, seconds=60):
        """Make the server stop answering: DEBUG SLEEP from a connection of its own, whose
        reply is never read. Returns once a PING times out."""
        self._hang = socket.create_connection(("127.0.0.1", self.port))
        self._hang.sendall(f"DEBUG SLEEP {seconds}\r\n".encode())
        wait_for(lambda: not self.answers(), 10, "redis to hang")

    def commands(self):
        """How many commands the server has run (not counting this INFO), through one
        connection of its own (a new connection sends commands of its own)."""
        if self._counter is None:
            self._counter = self.client()
        return self._counter.info("stats")["total_commands_processed"]

    def stop(self):
        if self.process and self.process.poll() is None:
            self.process.kill()  # a hung server does not answer SHUTDOWN
            self.process.wait(timeout=10)
        if self._hang:
            self._hang.close()
            self._hang = None
        self._counter = None
        shutil.rmtree(self.folder, ignore_errors=True)


def postgres_bin(name):
    found = sorted(glob.glob(f"/usr/lib/postgresql/*/bin/{name}"))
    if not found:
        raise FileNotFoundError(f"PostgreSQL's {name} is not installed")
    return found[-1]


class ThrowawayPostgres:
    """A PostgreSQL cluster made with initdb in a temporary folder, trust authentication,
    on a free port; started and stopped with pg_ctl."""

    def __init__(self):
        self.port = free_port()
        self.folder = Path(tempfile.mkdtemp(prefix="newsroom-pg-"))
        self.data = self.folder / "data"
        self.url = f"postgres://postgres@127.0.0.1:{self.port}/newsroom_faults"

    def _run(self, *args):
        # PostgreSQL refuses to run as root; the tests may run as root in containers.
        command = list(args)
        if os.geteuid() == 0:
            shutil.chown(self.folder, "postgres")
            for path in self.folder.rglob("*"):
                shutil.chown(path, "postgres")
            command = ["runuser", "-u", "postgres", "--", *command]
        subprocess.run(command, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)

    def start(self):
        if not self.data.exists():
            self._run(postgres_bin("initdb"), "-D", str(self.data), "-U", "postgres", "-A", "trust")
        self._run(
            postgres_bin("pg_ctl"),
            "-D",
            str(self.data),
            "-l",
            str(self.folder / "log"),
            "-o",
            f"-p {self.port} -c listen_addresses=127.0.0.1 -k {self.folder} -c fsync=off",
            "-w",
            "start",
        )
        return self

    @property
    def pid(self):
        return int((self.data / "postmaster.pid").read_text().split()[0])

    def create_database(self):
        self._run(
            postgres_bin("createdb"),
            "-h",
            "127.0.0.1",
            "-p",
            str(self.port),
            "-U",
            "postgres",
            "newsroom_faults",
        )

    def stop(self):
        """Stop the server (fast shutdown: sessions are ended) and wait until it is gone."""
        if not (self.data / "postmaster.pid").exists():
            return
        pid = self.pid
        os.kill(pid, signal.SIGINT)
        wait_for(lambda: not _alive(pid), 30, "PostgreSQL to stop")

    def remove(self):
        self.stop()
        shutil.rmtree(self.folder, ignore_errors=True)


def _alive(pid):
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True


ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable


def site_environment(database_url, redis_url, media_root, **overrides):
    """The environment of a production-mode site (DEBUG=0, plain HTTP on loopback) on the
    given database and cache, with the defaults a deployment gets for everything else."""
    environment = {
        name: value
        for name, value in os.environ.items()
        if not name.startswith(("DATABASE_", "REDIS_", "CONN_", "PAGE_CACHE", "CACHE_"))
    }
    environment.update(
        {
            "DEBUG": "0",
            "SECRET_KEY": "fault-tests-" + "x" * 50,
            "ALLOWED_HOSTS": "127.0.0.1",
            "SECURE_SSL_REDIRECT": "0",
            "DATABASE_URL": database_url,
            "REDIS_URL": redis_url,
            "LOG_LEVEL": "CRITICAL",
            "MEDIA_ROOT": str(media_root),
            **overrides,
        }
    )
    return environment


def manage(*args, env):
    subprocess.run(
        [PYTHON, "manage.py", *args], cwd=ROOT, env=env, check=True, stdout=subprocess.DEVNULL
    )


def run_django(code, env):
    """Run Python code with Django set up in a subprocess; returns its last line as JSON."""
    script = (
        "import django, json, os\n"
        "os.environ.setdefault('DJANGO_SETTINGS_MODULE', 'newsroom.settings')\n"
        "django.setup()\n" + code
    )
    out = subprocess.run(
        [PYTHON, "-c", script], cwd=ROOT, env=env, check=True, capture_output=True, text=True
    )
    return json.loads(out.stdout.strip().splitlines()[-1])


class SiteServer:
    """gunicorn with the production settings file (newsroom/gunicorn.py), on a free port."""

    def __init__(self, env, workers=2, stderr=None):
        self.port = free_port()
        self.env = {**env, "WEB_CONCURRENCY": str(workers), "PORT": str(self.port)}
        self.stderr = stderr
        self.process = None

    def start(self):
        self.process = subprocess.Popen(
            [PYTHON, "-m", "gunicorn", "-c", "newsroom/gunicorn.py", "newsroom.wsgi"],
            cwd=ROOT,
            env=self.env,
            start_new_session=True,
            stderr=self.stderr,
        )
        wait_for(lambda: self.get("/robots.txt", timeout=2)[0] == 200, 60, "gunicorn")
        return self

    def get(self, path, timeout=30, headers=None):
        """(status, headers, body, seconds) of a GET; (None, ...) if nothing answered."""
        started = time.perf_counter()
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=timeout)
        try:
            connection.request("GET", path, headers=headers or {})
            response = connection.getresponse()
            body = response.read().decode()
            return response.status, dict(response.getheaders()), body, time.perf_counter() - started
        except OSError:
            return None, {}, "", time.perf_counter() - started
        finally:
            connection.close()

    def stop(self):
        if self.process and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            self.process.wait(timeout=30)
