"""``python -m gpjob_widget.server``: serve the demo tasks on 127.0.0.1 until Ctrl-C."""

from __future__ import annotations

import argparse
import threading

from .app import JobServer
from .demo import demo_jobs, register


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m gpjob_widget.server",
                                     description="Loopback ArcGIS job server (127.0.0.1 only).")
    parser.add_argument("--port", type=int, default=0, help="port (default: a free one)")
    parser.add_argument("--token", default=None,
                        help="require this token (X-Esri-Authorization: Bearer …)")
    parser.add_argument("--time-scale", type=float, default=1.0, metavar="F",
                        help="jobs take F times their usual time (0.1: ten times faster)")
    parser.add_argument("--tls", action="store_true",
                        help="HTTPS with a self-signed certificate (Esri's GIS(url) needs it)")
    args = parser.parse_args(argv)
    server = JobServer(port=args.port, token=args.token, tls=args.tls).start()
    # all ready before the URL is announced
    tasks, jobs = register(server, args.time_scale), demo_jobs(server)
    print(f"Loopback job server on {server.url}", flush=True)
    if server.tls_cert:
        print(f"  certificate  {server.tls_cert}", flush=True)
    for name, url in tasks.items():
        print(f"  task  {name:18} {url}", flush=True)
    for name, url in jobs.items():
        print(f"  job   {name:18} {url}", flush=True)
    print("Ctrl-C to stop.", flush=True)
    try:
        threading.Event().wait()
    except KeyboardInterrupt:
        pass
    finally:
        server.stop()


if __name__ == "__main__":
    main()
