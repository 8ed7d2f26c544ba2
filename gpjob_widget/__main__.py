"""``python -m gpjob_widget`` is the ``gpjob`` command."""

from .cli import run

run()
