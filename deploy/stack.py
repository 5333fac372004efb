"""The production stack on one machine: nginx in front of gunicorn, on loopback.

``make production`` runs ``python -m deploy.stack run``: on first run a self-signed
certificate (openssl), then collectstatic, migrate, the demo content when the database is
empty, gunicorn (newsroom/gunicorn.py) and nginx (deploy/nginx/) as the current user, with
every file they write in one folder (``.production/`` by default). Ctrl-C stops both;
``python -m deploy.stack stop`` (``make production-stop``) stops a run started in the
background. tests/test_stack.py starts the same stack on throwaway ports in a temporary folder.

Environment: ``HTTPS_PORT`` (8443), ``HTTP_PORT`` (8080), ``APP_PORT`` (gunicorn, 8010),
``PRODUCTION_DIR``, and any of the site's own variables (``DATABASE_URL``, ``REDIS_URL``, ...):
the database defaults to SQLite in the folder, so the demo never mixes with ``make run``'s.
"""

import argparse
import getpass
import os
import re
import secrets
import signal
import socket
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent
NGINX_DIR = BASE_DIR / "deploy" / "nginx"
PLACEHOLDER = re.compile(r"\$\{(NEWSROOM_[A-Z_]+)\}")
# A bulk upload in the admin may carry this many full-size photos in one request.
BULK_UPLOAD_PHOTOS = 10
DEFAULT_PHOTO_MAX_UPLOAD_BYTES = 30 * 1024 * 1024


def render(template, values):
    """Fill the ``${NEWSROOM_...}`` placeholders of an nginx template (as ``envsubst`` with an
    explicit list would); nginx's own ``$variables`` are left alone."""

    def value(match):
        if match.group(1) not in values:
            raise KeyError(f"No value for {match.group(0)} in the nginx template.")
        return str(values[match.group(1)])

    return PLACEHOLDER.sub(value, template)


@dataclass
class Stack:
    run_dir: Path
    https_port: int = 8443
    http_port: int = 8080
    app_port: int = 8010
    # Extra environment for the site's processes (tests pass their database and media here).
    extra_env: dict = field(default_factory=dict)
    processes: list = field(default_factory=list)

    @classmethod
    def from_environment(cls):
        return cls(
            run_dir=Path(os.environ.get("PRODUCTION_DIR", BASE_DIR / ".production")).resolve(),
            https_port=int(os.environ.get("HTTPS_PORT", "8443")),
            http_port=int(os.environ.get("HTTP_PORT", "8080")),
            app_port=int(os.environ.get("APP_PORT", "8010")),
        )

    @property
    def https_url(self):
        return f"https://127.0.0.1:{self.https_port}"

    @property
    def http_url(self):
        return f"http://127.0.0.1:{self.http_port}"

    # --- Setting up ----------------------------------------------------------------------

    def secret_key(self):
        """A key made on first run and kept in the folder, so sessions survive a restart."""
        path = self.run_dir / "secret_key"
        if not path.exists():
            path.write_text(secrets.token_urlsafe(50))
            path.chmod(0o600)
        return path.read_text().strip()

    def environment(self):
        """The variables production sets (README, docs/production.md), for this machine."""
        env = dict(os.environ)
        env.setdefault("DATABASE_URL", f"sqlite:///{self.run_dir / 'db.sqlite3'}")
        env.update(
            {
                "DEBUG": "0",
                "SECRET_KEY": self.secret_key(),
                "ALLOWED_HOSTS": "127.0.0.1,localhost",
                "SITE_URL": self.https_url,
                "CSRF_TRUSTED_ORIGINS": self.https_url,
                "SECURE_PROXY_SSL_HEADER": "1",
                "CLIENT_IP_HEADER": "X-Forwarded-For",
                "SERVE_MEDIA": "0",  # nginx serves media
                "MEDIA_ROOT": str(self.run_dir / "media"),
                "STATIC_ROOT": str(self.run_dir / "staticfiles"),
                "GUNICORN_BIND": f"127.0.0.1:{self.app_port}",
                "PYTHONUNBUFFERED": "1",
            }
        )
        env.update(self.extra_env)
        return env

    def manage(self, *args, capture=False):
        return subprocess.run(
            [sys.executable, "manage.py", *args],
            cwd=BASE_DIR,
            env=self.environment(),
            check=True,
            text=True,
            capture_output=capture,
        )

    def ensure_certificate(self):
        """A self-signed certificate for 127.0.0.1 and localhost, made once."""
        cert, key = self.run_dir / "tls" / "cert.pem", self.run_dir / "tls" / "key.pem"
        if not cert.exists():
            cert.parent.mkdir(parents=True, exist_ok=True)
            subprocess.run(
                [
                    "openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "825",
                    "-subj", "/CN=127.0.0.1",
                    "-addext", "subjectAltName=IP:127.0.0.1,DNS:localhost",
                    "-keyout", str(key), "-out", str(cert),
                ],
                check=True,
                capture_output=True,
            )  # fmt: skip
            key.chmod(0o600)
        return cert, key

    def render_nginx(self):
        cert, key = self.ensure_certificate()
        env = self.environment()
        upload_cap = int(env.get("PHOTO_MAX_UPLOAD_BYTES") or DEFAULT_PHOTO_MAX_UPLOAD_BYTES)
        values = {
            "NEWSROOM_SERVER_NAME": "127.0.0.1 localhost",
            "NEWSROOM_HTTP_LISTEN": f"127.0.0.1:{self.http_port}",
            "NEWSROOM_HTTPS_LISTEN": f"127.0.0.1:{self.https_port}",
            "NEWSROOM_HTTPS_URL": self.https_url,
            "NEWSROOM_CERT": cert,
            "NEWSROOM_CERT_KEY": key,
            "NEWSROOM_UPSTREAM": env["GUNICORN_BIND"],
            "NEWSROOM_STATIC_ROOT": env["STATIC_ROOT"],
            "NEWSROOM_MEDIA_ROOT": env["MEDIA_ROOT"],
            "NEWSROOM_ADMIN_BODY_MAX": upload_cap * BULK_UPLOAD_PHOTOS + 1024 * 1024,
            "NEWSROOM_NGINX_DIR": NGINX_DIR,
            "NEWSROOM_RUN_DIR": self.run_dir,
            # Run as whoever started it; only root may (and must) name a user.
            "NEWSROOM_USER_DIRECTIVE": (
                f"user {getpass.getuser()};" if os.geteuid() == 0 else "# user: the current one"
            ),
        }
        for folder in ("logs", "nginx-tmp", "media"):
            (self.run_dir / folder).mkdir(parents=True, exist_ok=True)
        site = render((NGINX_DIR / "newsroom.conf").read_text(), values)
        (self.run_dir / "newsroom.conf").write_text(site)
        (self.run_dir / "nginx.conf").write_text(
            render((NGINX_DIR / "local.conf").read_text(), values)
        )
        return self.run_dir / "nginx.conf"

    def prepare(self, out=sys.stdout):
        """Static files, migrations and, into an empty database, the demo. Returns the demo's
        logins (printed by seed_demo) or None when the database already had stories."""
        self.run_dir.mkdir(parents=True, exist_ok=True)
        print("Collecting static files and migrating ...", file=out, flush=True)
        self.manage("collectstatic", "--noinput", "-v0")
        self.manage("migrate", "--noinput", "-v0")
        has_stories = self.manage(
            "shell", "-c", "from articles.models import Article; print(Article.objects.exists())",
            capture=True,
        ).stdout.split()[-1]  # fmt: skip
        if has_stories == "True":
            return None
        print("Loading the demo content (about a minute) ...", file=out, flush=True)
        seeded = self.manage("seed_demo", capture=True).stdout
        return "\n".join(line for line in seeded.splitlines() if "login:" in line)

    # --- Running -------------------------------------------------------------------------

    def start(self, timeout=60):
        conf = self.render_nginx()
        logs = self.run_dir / "logs"
        gunicorn = subprocess.Popen(
            [
                sys.executable, "-m", "gunicorn", "-c", "newsroom/gunicorn.py",
                "--pid", str(self.run_dir / "gunicorn.pid"), "newsroom.wsgi",
            ],
            cwd=BASE_DIR,
            env=self.environment(),
            stdout=(logs / "gunicorn.log").open("ab"),
            stderr=subprocess.STDOUT,
            start_new_session=True,  # Ctrl-C reaches only this script, which stops both
        )  # fmt: skip
        self.processes.append(gunicorn)
        nginx = subprocess.Popen(
            # Debian's prefix stays, so its module paths resolve; every other path is absolute.
            ["nginx", "-c", str(conf), "-e", str(logs / "nginx-error.log"), "-g", "daemon off;"],
            stdout=(logs / "nginx.log").open("ab"),
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )  # fmt: skip
        self.processes.append(nginx)
        try:
            for port in (self.app_port, self.https_port, self.http_port):
                self.wait_for_port(port, timeout)
        except BaseException:
            self.stop()
            raise

    def wait_for_port(self, port, timeout):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            for process in self.processes:
                if process.poll() is not None:
                    raise RuntimeError(
                        f"{process.args[0]} exited with {process.returncode}; see "
                        f"{self.run_dir / 'logs'}"
                    )
            with socket.socket() as probe:
                probe.settimeout(0.5)
                if probe.connect_ex(("127.0.0.1", port)) == 0:
                    return
            time.sleep(0.1)
        raise RuntimeError(f"Nothing answers on 127.0.0.1:{port} after {timeout} s.")

    def stop(self, timeout=30):
        """Stop the processes this object started (gunicorn finishes requests in flight)."""
        for process in self.processes:
            if process.poll() is None:
                process.send_signal(signal.SIGTERM)
        for process in self.processes:
            try:
                process.wait(timeout)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
        self.processes.clear()

    def stop_background(self):
        """Stop a run of this folder started elsewhere, by the pid files it wrote."""
        stopped = 0
        for name in ("nginx.pid", "gunicorn.pid"):
            path = self.run_dir / name
            if not path.exists():
                continue
            try:
                os.kill(int(path.read_text().strip()), signal.SIGTERM)
                stopped += 1
            except (ProcessLookupError, ValueError):
                pass
            path.unlink(missing_ok=True)
        return stopped


def run(stack):
    logins = stack.prepare()
    stack.start()
    print(
        f"\nNewsroom in production mode (DEBUG=0, gunicorn behind nginx):\n"
        f"  {stack.https_url}/         the site (self-signed certificate: accept it once)\n"
        f"  {stack.https_url}/admin/   the admin\n"
        f"  {stack.http_url}/          redirects to https\n"
        f"  logs and data in {stack.run_dir}\n",
        flush=True,
    )
    print(logins or "The database already had stories; its accounts are unchanged.")
    print("\nCtrl-C (or `make production-stop`) stops gunicorn and nginx.", flush=True)
    try:
        while all(process.poll() is None for process in stack.processes):
            time.sleep(0.5)
        print("A server stopped; stopping the other.", file=sys.stderr)
    except KeyboardInterrupt:
        print("\nStopping ...")
    finally:
        stack.stop()


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("command", choices=["run", "stop"])
    args = parser.parse_args(argv)
    stack = Stack.from_environment()
    if args.command == "run":
        # Ctrl-C, and SIGTERM from a process manager, stop both servers the same way (even when
        # started from a shell that ignores SIGINT in background jobs).
        signal.signal(signal.SIGINT, signal.default_int_handler)
        signal.signal(signal.SIGTERM, signal.default_int_handler)
        run(stack)
    else:
        stopped = stack.stop_background()
        print(f"Stopped {stopped} server(s) of {stack.run_dir}." if stopped else "Nothing ran.")


if __name__ == "__main__":
    main()
