"""The loopback job server: ArcGIS job protocols on 127.0.0.1, for demos and tests.

>>> with JobServer() as srv:
...     srv.add_task("Buffer", Task(duration=2, steps=4))
...     url = srv.task_url("Buffer")
"""

from .app import JobServer, RequestRecord
from .tasks import Message, Task

__all__ = ["JobServer", "Message", "RequestRecord", "Task"]
