# Runs several schemathesis CLI runs at once from ONE Python start (test/check/schemathesis.test.ts):
# the parent imports schemathesis's CLI and the engine, hypothesis and requests it loads during a run
# (about 0.9 s of CPU per start), then forks one child per run; each child runs the very CLI `st`
# runs (schemathesis.cli.schemathesis, its output to its own file) and exits with its exit code.
# Measured: four runs 11.9 s of CPU as four `st` processes, 7.4 s forked from one warm parent.
#
# Usage: python driver.py OUT_DIR RUNS_JSON   (RUNS_JSON: a list of argument lists, as after `st`)
# Writes OUT_DIR/<i>.out (stdout and stderr of run i) and prints "<i> <exit code>" per run.
import importlib
import json
import os
import sys

from schemathesis.cli import schemathesis

# Modules a run imports lazily (measured with sys.modules before and after a run): loaded once here,
# shared by every child through fork. A name missing in another schemathesis version is skipped: it
# then loads in each child, as in `st`.
WARM = [
    "schemathesis.cli.executor",
    "schemathesis.cli.loaders",
    "schemathesis.cli.commands.run.executor",
    "schemathesis.cli.commands.run.handlers.output",
    "schemathesis.engine.core",
    "schemathesis.engine.run.unit",
    "schemathesis.engine.run.stateful",
    "schemathesis.engine.run.analysis",
    "schemathesis.specs.openapi.schemas",
    "schemathesis.specs.openapi.checks",
    "schemathesis.generation.hypothesis.builder",
    "schemathesis.openapi.checks",
    "schemathesis.reporting",
    "hypothesis",
    "requests",
    "werkzeug",
    "yaml",
    "anyio",
    "pyrate_limiter",
    "rich.console",
    "rich.live",
    "rich.progress",
]


def main() -> None:
    out_dir, runs = sys.argv[1], json.loads(sys.argv[2])
    for name in WARM:
        try:
            importlib.import_module(name)
        except Exception:
            pass
    sys.stdout.flush()
    children = []
    for i, args in enumerate(runs):
        pid = os.fork()
        if pid == 0:
            fd = os.open(os.path.join(out_dir, f"{i}.out"), os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
            os.dup2(fd, 1)
            os.dup2(fd, 2)
            code = 1
            try:
                schemathesis.main(args=args, prog_name="st")
                code = 0
            except SystemExit as e:
                code = e.code if isinstance(e.code, int) else (0 if e.code is None else 1)
            except BaseException as e:  # a crash of the CLI is a failed run, said in its output
                print(f"schemathesis-runs.py: run {i} raised {e!r}", file=sys.stderr)
            finally:
                sys.stdout.flush()
                sys.stderr.flush()
            os._exit(code)
        children.append(pid)
    for i, pid in enumerate(children):
        _, status = os.waitpid(pid, 0)
        print(f"{i} {os.waitstatus_to_exitcode(status)}", flush=True)


main()
