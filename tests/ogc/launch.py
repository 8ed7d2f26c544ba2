#!/usr/bin/env python3
"""Start a real pygeoapi with tests/ogc/pygeoapi-config.yml.

Usage (with the python of a venv that has pygeoapi installed):

    .venv-pygeoapi/bin/python tests/ogc/launch.py --port 5055

Prints one line ``READY http://127.0.0.1:5055`` on stdout once the landing
page answers, then keeps serving until SIGTERM/SIGINT.  ``--port 0`` picks a
free port.  Job store and outputs live in --workdir (default: a fresh temp
dir, removed on exit unless --keep).

Why not ``pygeoapi serve``: it runs Flask with debug=True, i.e. with the
reloader, which forks a second process (harder to stop cleanly, and it
restarts on file changes).  We run werkzeug's run_simple, threaded, with no
reloader, in a child process whose environment carries the config.
"""

import argparse
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

HERE = Path(__file__).resolve().parent

SERVE = '''
import sys
from werkzeug.serving import run_simple
from pygeoapi.flask_app import APP
run_simple(sys.argv[1], int(sys.argv[2]), APP, threaded=True,
           use_reloader=False, use_debugger=False)
'''


def free_port(host):
    with socket.socket() as s:
        s.bind((host, 0))
        return s.getsockname()[1]


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument('--host', default='127.0.0.1')
    ap.add_argument('--port', type=int, default=0)
    ap.add_argument('--workdir', help='job store + outputs (default: temp)')
    ap.add_argument('--keep', action='store_true',
                    help='keep a temporary workdir on exit')
    ap.add_argument('--config', default=str(HERE / 'pygeoapi-config.yml'))
    ap.add_argument('--log-level', default='WARNING')
    ap.add_argument('--timeout', type=float, default=60)
    args = ap.parse_args()

    port = args.port or free_port(args.host)
    url = f'http://{args.host}:{port}'
    temp = args.workdir is None
    workdir = Path(args.workdir or tempfile.mkdtemp(prefix='gpjob-ogc-'))
    (workdir / 'outputs').mkdir(parents=True, exist_ok=True)

    env = dict(os.environ)
    env.update({
        'PYGEOAPI_CONFIG': str(Path(args.config).resolve()),
        'PYGEOAPI_OPENAPI': str(workdir / 'openapi.yml'),
        'GPJOB_OGC_HOST': args.host,
        'GPJOB_OGC_PORT': str(port),
        'GPJOB_OGC_URL': url,
        'GPJOB_OGC_WORKDIR': str(workdir),
        'GPJOB_OGC_LOGLEVEL': args.log_level,
        'PYTHONPATH': os.pathsep.join(
            [str(HERE)] + [p for p in [env.get('PYTHONPATH')] if p]),
    })

    # pygeoapi.flask_app refuses to import without an OpenAPI document.
    subprocess.run(
        [sys.executable, '-c', 'from pygeoapi import cli; cli()',
         'openapi', 'generate',
         env['PYGEOAPI_CONFIG'], '--output-file', env['PYGEOAPI_OPENAPI']],
        env=env, check=True, stdout=subprocess.DEVNULL, stderr=sys.stderr)

    # pygeoapi logs to stdout; send the child's stdout to our stderr so that
    # our stdout carries only the READY line.
    child = subprocess.Popen(
        [sys.executable, '-c', SERVE, args.host, str(port)], env=env,
        stdout=sys.stderr)

    def stop(*_):
        if child.poll() is None:
            child.terminate()
            try:
                child.wait(10)
            except subprocess.TimeoutExpired:
                child.kill()
        if temp and not args.keep:
            shutil.rmtree(workdir, ignore_errors=True)

    signal.signal(signal.SIGTERM, lambda *a: sys.exit(0))
    try:
        deadline = time.monotonic() + args.timeout
        while True:
            if child.poll() is not None:
                sys.exit(f'pygeoapi exited early with {child.returncode}')
            try:
                with urllib.request.urlopen(f'{url}/?f=json', timeout=2):
                    break
            except OSError:
                if time.monotonic() > deadline:
                    sys.exit('pygeoapi did not answer in time')
                time.sleep(0.2)
        print(f'READY {url} workdir={workdir}', flush=True)
        child.wait()
    except KeyboardInterrupt:
        pass
    finally:
        stop()


if __name__ == '__main__':
    main()
