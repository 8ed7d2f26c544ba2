"""``gpjob``: watch, submit, cancel and fetch results of jobs from a terminal or a script.

Built on argparse: the standard library covers sub-commands, ``--help`` per command and exit
code 2 for usage errors, and a command line this small is not worth a dependency.

Exit codes: 0 the job succeeded (or the command did what it said), 1 it failed / was
cancelled / timed out / the server refused, 2 usage error or bad URL, 130 interrupted.
The token comes from ``GPJOB_TOKEN`` or ``--token-file``, never from an argument (``ps`` shows
arguments to every user), and is never printed.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import math
import os
import sys
import time
from collections.abc import Callable, Mapping, Sequence
from datetime import date, datetime
from pathlib import Path
from typing import Any

from . import status as st
from .errors import GPJobError, InvalidJobURL
from .fallback import text_repr
from .job import Job

OK, FAILED, USAGE, INTERRUPTED = 0, 1, 2, 130
TOKEN_ENV = "GPJOB_TOKEN"


class UsageError(Exception):
    """A bad argument: printed with the command's usage, exit code 2."""


# -- arguments → Job -----------------------------------------------------------------------
def _token(args: argparse.Namespace) -> str | None:
    if args.token_file:
        try:
            token = Path(args.token_file).read_text(encoding="utf-8").strip()
        except OSError as exc:
            raise UsageError(f"--token-file: {exc.strerror}: {args.token_file}") from None
        if not token:
            raise UsageError(f"--token-file: {args.token_file} is empty")
        return token
    return os.environ.get(TOKEN_ENV) or None


def _job_options(args: argparse.Namespace) -> dict[str, Any]:
    verify: bool | str = True
    if args.insecure:
        verify = False
    elif args.ca_bundle:
        verify = args.ca_bundle
    return {"flavour": args.flavour, "verify": verify, "timeout": (5.0, args.request_timeout)}


def _job(args: argparse.Namespace) -> Job:
    return Job(args.url, _token(args), **_job_options(args))


def _watch_options(args: argparse.Namespace) -> dict[str, Any]:
    return {"stall_after": args.stall_after} if "stall_after" in args else {}


def parse_param(text: str) -> tuple[str, Any]:
    """``name=value``: JSON when it parses (5, true, {"a": 1}), ``@file.json`` reads a file,
    anything else is the text itself."""
    name, sep, raw = text.partition("=")
    if not sep or not name.strip():
        raise UsageError(f"-p expects name=value, not {text!r}")
    if raw.startswith("@"):
        try:
            raw = Path(raw[1:]).read_text(encoding="utf-8")
        except OSError as exc:
            raise UsageError(f"-p {name}: cannot read {raw[1:]}: {exc.strerror}") from None
    try:
        return name.strip(), json.loads(raw)
    except ValueError:
        return name.strip(), raw


# -- output --------------------------------------------------------------------------------
def _iso(value: Any) -> str:
    return value.isoformat() if hasattr(value, "isoformat") else str(value)


def to_jsonable(value: Any) -> Any:
    """A result value as plain JSON: frames as records / GeoJSON, dates as ISO 8601."""
    if hasattr(value, "__geo_interface__") and hasattr(value, "to_json"):
        return json.loads(value.to_json(drop_id=True, default=_iso))  # GeoDataFrame
    if hasattr(value, "to_dict") and hasattr(value, "columns"):  # DataFrame
        return json.loads(value.to_json(orient="records", date_format="iso"))
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, Path):
        return str(value)
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, Mapping):
        return {str(k): to_jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [to_jsonable(v) for v in value]
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return dataclasses.asdict(value)  # LinearUnit, ArealUnit, ResultURL
    if hasattr(value, "to_dict"):
        return value.to_dict()
    if value is None or isinstance(value, str | int | float | bool):
        return value
    return str(value)


def _print_json(data: Any) -> None:
    print(json.dumps(data, indent=2, ensure_ascii=False))


def _final(job: Job, status: str) -> int:
    state = job.state
    if status == st.SUCCEEDED:
        print(f"{state.title or 'job'} {state.job_id}: succeeded", file=sys.stderr)
        return OK
    detail = f": {state.error}" if state.error else ""
    print(f"{state.title or 'job'} {state.job_id}: {status.removeprefix('job-')}{detail}",
          file=sys.stderr)
    return FAILED


def _wait(job: Job, args: argparse.Namespace) -> int:
    # a bar on a terminal; in a log or a pipe (CI, | tee) one plain line per change
    progress = args.progress if args.progress is not None else \
        (True if sys.stderr.isatty() else "lines")
    try:
        status = job.wait(timeout=args.timeout, cancel_on_interrupt=args.cancel_on_interrupt,
                          progress=progress, _cancel_hint=f"cancel it: gpjob cancel {job.job_url}")
    except TimeoutError as exc:
        print(f"timed out: {exc}", file=sys.stderr)
        return FAILED
    except KeyboardInterrupt:
        state = job.state
        if args.cancel_on_interrupt or state.terminal:
            print(f"\nStopped watching; job {state.job_id} is {state.status.removeprefix('job-')}"
                  + (f" ({state.cancel_error})" if state.cancel_error else ""), file=sys.stderr)
        else:
            print(f"\nStopped watching: job {state.job_id} is still running on the server.\n"
                  f"Cancel it with: gpjob cancel {job.job_url}", file=sys.stderr)
        return INTERRUPTED
    print(f"job URL: {job.job_url}", file=sys.stderr)
    return _final(job, status)


# -- commands ------------------------------------------------------------------------------
def cmd_watch(args: argparse.Namespace) -> int:
    job = _job(args)
    job.watch(**_watch_options(args))
    return _wait(job, args)


def cmd_submit(args: argparse.Namespace) -> int:
    params = dict(parse_param(p) for p in args.param or [])
    job = Job.submit(args.url, params, _token(args), **_job_options(args),
                     **_watch_options(args))
    print(job.job_url)  # stdout: the one thing a script needs to go on with
    sys.stdout.flush()
    return _wait(job, args) if args.wait else OK


def cmd_status(args: argparse.Namespace) -> int:
    job = _job(args)
    job.watcher.check_now()
    state = job.state
    if args.json:
        _print_json({**state.to_dict(), "messages": job.messages})
    else:
        print(text_repr(state.to_dict()))
    return OK


def cmd_cancel(args: argparse.Namespace) -> int:
    job = _job(args)
    job.watcher.check_now()
    status = job.cancel()
    print(f"{job.job_id}: {status.removeprefix('job-')}")
    return OK


def cmd_results(args: argparse.Namespace) -> int:
    """Every output: its value (files downloaded into --out) and, for people, its summary
    ("out_features: 1,204 polygons · EPSG:3857"). One output that cannot be read hides none
    of the others; the exit code then says so."""
    from .errors import ResultError
    from .preview import summarize

    job = _job(args)
    job.watcher.check_now()
    out = Path(args.out) if args.out else Path.cwd() / "gpjob_results" / job.job_id
    values: dict[str, Any] = {}
    failures: dict[str, str] = {}
    for name in job.output_names():
        try:
            values[name] = job.result(name, download_dir=out)
        except ResultError as exc:
            failures[name] = str(exc).removeprefix(f"result {name!r}: ")
    if args.json:
        _print_json({**to_jsonable(values), **{n: {"error": e} for n, e in failures.items()}})
    else:
        for name, value in values.items():
            summary = summarize(name, value, job.data_types.get(name, ""))[0]["summary"]
            print(f"{name}: {summary} → {value}" if isinstance(value, Path) else
                  f"{name}: {summary}")
        for name, reason in failures.items():
            print(f"{name}: could not be read: {reason}", file=sys.stderr)
    return FAILED if failures else OK


def _batch_inputs(path: str) -> list[Any]:
    """JSON lines: a parameters object, or ``{"key": …, "params": {…}}`` to name the row."""
    try:
        lines = Path(path).read_text(encoding="utf-8").splitlines()
    except OSError as exc:
        raise UsageError(f"--inputs: {exc.strerror}: {path}") from None
    inputs: list[Any] = []
    for number, line in enumerate(lines, 1):
        if not line.strip():
            continue
        try:
            entry = json.loads(line)
        except ValueError as exc:
            raise UsageError(f"--inputs line {number}: not JSON ({exc})") from None
        if not isinstance(entry, dict):
            raise UsageError(f"--inputs line {number}: a JSON object, not {type(entry).__name__}")
        if set(entry) == {"key", "params"} and isinstance(entry["params"], dict):
            inputs.append((entry["key"], entry["params"]))
        else:
            inputs.append(entry)
    return inputs


def cmd_map(args: argparse.Namespace) -> int:
    """Every input through the task, at most --max-in-flight at once; one JSON line per input
    on stdout (key, status, job URL, error); the roll-up on stderr."""
    from .batch import Batch
    from .terminal import rollup_view

    batch = Batch(args.url, _batch_inputs(args.inputs), max_in_flight=args.max_in_flight,
                  retries=args.retries, token=_token(args), **_job_options(args),
                  stall_after=args.stall_after)
    progress = args.progress if args.progress is not None else \
        (True if sys.stderr.isatty() else "lines")
    batch.start()
    try:
        with rollup_view(batch, progress) as view:
            deadline = None if args.timeout is None else time.monotonic() + args.timeout
            while not batch.rollup().finished:
                if deadline is not None and time.monotonic() > deadline:
                    print(f"timed out: {batch.rollup().words()} (the jobs keep running)",
                          file=sys.stderr)
                    return FAILED
                time.sleep(0.25)
                if view is not None:
                    view.tick()
    except KeyboardInterrupt:
        if args.cancel_on_interrupt:
            batch.cancel_all()
        batch.stop()
        print(f"\nStopped: {batch.rollup().words()}", file=sys.stderr)
        return INTERRUPTED
    failures = batch.failures
    for item in batch.items:
        job = item.job
        print(json.dumps({"key": item.key, "status": item.status.removeprefix("job-"),
                          "job_url": job.job_url if job else None,
                          **({"error": failures[item.key]} if item.key in failures else {})},
                         default=str))
    print(batch.rollup().words(), file=sys.stderr)
    return OK if not failures else FAILED


# -- the parser ----------------------------------------------------------------------------
def _common(parser: argparse.ArgumentParser) -> None:
    auth = parser.add_argument_group("connection")
    auth.add_argument("--token-file", metavar="FILE",
                      help=f"read the token from FILE (default: ${TOKEN_ENV}); never an argument")
    auth.add_argument("--flavour", choices=["gp", "mission", "notebook", "admin", "ogc"],
                      help="job protocol (default: detected from the URL and the answer)")
    auth.add_argument("--ca-bundle", metavar="PATH", help="trust this CA bundle for HTTPS")
    auth.add_argument("--insecure", action="store_true",
                      help="do not verify TLS certificates (not recommended)")
    auth.add_argument("--request-timeout", type=float, default=30.0, metavar="S",
                      help="read timeout of each request (default: 30)")


def _waiting(parser: argparse.ArgumentParser) -> None:
    group = parser.add_argument_group("waiting")
    group.add_argument("--timeout", type=float, metavar="S",
                       help="give up waiting after S seconds (exit 1; the job keeps running)")
    group.add_argument("--stall-after", type=float, default=600.0, metavar="S",
                       help="say a job is stalled after S seconds without any change, or "
                            "5 times its longest quiet spell so far (default: 600)")
    group.add_argument("--cancel-on-interrupt", action="store_true",
                       help="Ctrl-C also cancels the job on the server")
    bar = group.add_mutually_exclusive_group()
    bar.add_argument("--progress", dest="progress", action="store_true", default=None,
                     help="always show the progress bar (default: a bar when stderr is a "
                          "terminal, else one plain line per change)")
    bar.add_argument("--no-progress", dest="progress", action="store_false",
                     help="print nothing while waiting")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="gpjob", description="Watch and control ArcGIS (and OGC API - Processes) jobs.",
        epilog=f"The token is read from ${TOKEN_ENV} or --token-file. Exit codes: 0 succeeded, "
               "1 failed/cancelled/timed out, 2 usage error, 130 interrupted.")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    def command(name: str, run: Callable[[argparse.Namespace], int], help_text: str,
                url_help: str) -> argparse.ArgumentParser:
        p = sub.add_parser(name, help=help_text, description=help_text)
        p.add_argument("url", metavar="URL", help=url_help)
        p.set_defaults(run=run)
        _common(p)
        return p

    job_url = "the job URL (…/GPServer/<task>/jobs/<jobId>, …/jobs/<id>)"
    _waiting(command("watch", cmd_watch, "follow a job with a progress bar until it ends",
                     job_url))
    submit = command("submit", cmd_submit, "submit a job; print its URL (and wait with --wait)",
                     "the task URL (…/GPServer/<task>, or an OGC …/processes/<id>)")
    submit.add_argument("-p", "--param", action="append", metavar="NAME=VALUE",
                        help="a parameter (JSON if it parses; @file.json reads a file)")
    submit.add_argument("--wait", action="store_true", help="then watch it like `gpjob watch`")
    _waiting(submit)
    command("cancel", cmd_cancel, "cancel a job on the server", job_url)
    results = command("results", cmd_results, "fetch a succeeded job's outputs", job_url)
    results.add_argument("--out", metavar="DIR",
                         help="where files are downloaded (default: ./gpjob_results/<jobId>)")
    results.add_argument("--json", action="store_true", help="print the outputs as JSON")
    batch = command("map", cmd_map, "run a task over many inputs, a few jobs at a time",
                    "the task URL (…/GPServer/<task>, or an OGC …/processes/<id>)")
    batch.add_argument("--inputs", required=True, metavar="FILE.jsonl",
                       help='one JSON object of parameters per line (or {"key", "params"})')
    batch.add_argument("--max-in-flight", type=int, default=4, metavar="N",
                       help="at most N jobs on the server at once (default: 4)")
    batch.add_argument("--retries", type=int, default=1, metavar="N",
                       help="retry a failed submit or job N times (default: 1)")
    _waiting(batch)
    status = command("status", cmd_status, "check a job once and print where it is", job_url)
    status.add_argument("--json", action="store_true", help="print the state as JSON")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)  # exits 2 on usage errors, 0 for --help
    try:
        return args.run(args)
    except (UsageError, InvalidJobURL) as exc:
        parser.exit(USAGE, f"gpjob {args.command}: error: {exc}\n")
    except KeyboardInterrupt as exc:
        print(f"\n{exc or 'interrupted'}", file=sys.stderr)
        return INTERRUPTED
    except GPJobError as exc:
        print(f"gpjob {args.command}: {type(exc).__name__}: {exc}", file=sys.stderr)
        return FAILED
    return OK  # pragma: no cover - parser.exit does not return


def run() -> None:
    """Console-script entry point."""
    sys.exit(main())
