"""Start and drive the directearn reference provider (the stub) from a Python test suite.

Standard library only. The stub is the `directearn` command (npm package `directearn-suite`):
`directearn serve --admin --port 0 --ready-file FILE` writes {"url", "port", "pid"} to FILE once it
listens; `/_admin/provider-states` puts it into a documented case; `/_admin/ledger` lists what was
earned; `/_admin/reset` goes back to the fixtures. Optionally the traffic goes through
`directearn proxy`, which checks every request and answer against the spec.

Environment:
  DIRECTEARN_CMD            how to run directearn (default "npx --no directearn"), e.g.
                            "node /path/to/bin/directearn.js"
  DIRECTEARN_PROXY_REPORT   when set, endpoint calls go through `directearn proxy` and its JSON
                            report is written to this path; stop() fails if it found violations
"""

import base64
import json
import os
import shlex
import signal
import subprocess
import tempfile
import time
import urllib.error
import urllib.request

ENDPOINT = "/v2/promotion/bulk/directEarn"
# The stub's default credentials (docs/provider.md, `directearn serve --help`).
BASIC = "Basic " + base64.b64encode(b"directearn:directearn").decode("ascii")


class Answer:
    """An HTTP answer: status, headers (case-insensitive) and the JSON body."""

    def __init__(self, status, headers, body):
        self.status = status
        self.headers = headers
        self.json = json.loads(body) if body else None


def _request(url, method="GET", body=None, headers=None):
    data = None if body is None else json.dumps(body).encode("utf-8")
    req = urllib.request.Request(url, data=data, method=method, headers=headers or {})
    if data is not None:
        req.add_header("Content-Type", "application/json")
    try:
        with urllib.request.urlopen(req, timeout=10) as res:
            return Answer(res.status, res.headers, res.read())
    except urllib.error.HTTPError as e:
        return Answer(e.code, e.headers, e.read())


def _start(args, what, timeout=60.0):
    """Runs `directearn ARGS --ready-file F` and returns (process, ready dict) once F exists."""
    ready_file = os.path.join(tempfile.mkdtemp(prefix="directearn-"), "ready.json")
    cmd = shlex.split(os.environ.get("DIRECTEARN_CMD", "npx --no directearn"))
    proc = subprocess.Popen(
        cmd + args + ["--ready-file", ready_file],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        start_new_session=True,  # its own process group: a failed start ends npx and node alike
    )
    deadline = time.monotonic() + timeout
    while not os.path.exists(ready_file):
        if proc.poll() is not None:
            raise RuntimeError(f"{what} exited with {proc.returncode}: {proc.stderr.read().decode()}")
        if time.monotonic() > deadline:
            os.killpg(proc.pid, signal.SIGKILL)
            raise RuntimeError(f"{what} was not ready within {timeout} s")
        time.sleep(0.05)
    with open(ready_file, encoding="utf-8") as f:
        return proc, json.load(f)


def _stop(proc, ready):
    """SIGTERM to the pid of the ready file (the directearn process itself, even under npx)."""
    if proc.poll() is None:
        try:
            os.kill(ready["pid"], signal.SIGTERM)
        except ProcessLookupError:
            pass
    try:
        return proc.wait(timeout=15)
    except subprocess.TimeoutExpired:
        proc.kill()
        return proc.wait()


class Stub:
    """The reference provider with its admin routes, optionally behind the validating proxy."""

    def __init__(self):
        self.proc, ready = _start(["serve", "--admin", "--port", "0"], "directearn serve")
        self.ready = ready
        self.admin_url = ready["url"]
        self.url = ready["url"]
        self.proxy = None
        self.report_path = os.environ.get("DIRECTEARN_PROXY_REPORT")
        if self.report_path:
            try:
                self.proxy, self.proxy_ready = _start(
                    ["proxy", "--upstream", self.admin_url, "--port", "0", "--json", self.report_path],
                    "directearn proxy",
                )
            except Exception:
                _stop(self.proc, self.ready)
                raise
            self.url = self.proxy_ready["url"]

    def earn(self, request, headers=None):
        """POSTs a directEarn request (through the proxy when there is one)."""
        return _request(self.url + ENDPOINT, "POST", request, headers or {"Authorization": BASIC})

    def set_state(self, state, **params):
        """Puts the stub into a provider state; raises with the stub's message when refused."""
        answer = _request(self.admin_url + "/_admin/provider-states", "POST", {"state": state, "params": params})
        if answer.status != 200:
            raise AssertionError(f"state {state!r} refused: {answer.json}")
        return answer

    def states(self):
        return _request(self.admin_url + "/_admin/provider-states").json["states"]

    def reset(self):
        _request(self.admin_url + "/_admin/reset", "POST")

    def ledger(self):
        """Every entry of the ledger, page after page."""
        entries, after = [], None
        while True:
            query = "?limit=1000" + ("" if after is None else f"&after={after}")
            page = _request(self.admin_url + "/_admin/ledger" + query).json
            entries += page["entries"]
            after = page["next"]
            if after is None:
                return entries

    def stop(self):
        """Stops the proxy (its exit code: 0 no violation, 1 violations) and the stub."""
        proxy_code = None if self.proxy is None else _stop(self.proxy, self.proxy_ready)
        stub_code = _stop(self.proc, self.ready)
        if stub_code != 0:
            raise AssertionError(f"directearn serve exited with {stub_code}")
        if proxy_code not in (None, 0):
            with open(self.report_path, encoding="utf-8") as f:
                violations = json.load(f)["violations"]
            raise AssertionError(f"directearn proxy found violations: {violations}")
