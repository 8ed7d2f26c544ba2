"""The Jupyter kernel we run in: what a cell that awaits a job needs of ipykernel 6.

ipykernel 7 handles comm messages (the card's clicks) while a cell awaits. ipykernel 6 handles
shell messages one at a time, so a click waits behind the awaiting cell (and behind the cells
queued after it). :func:`comm_pump` gives a function that, called from the awaiting coroutine,
takes the messages of *our* widgets out of the kernel's queue and handles them at once; every
other message stays where it was, in order.
"""

from __future__ import annotations

import logging
import sys
from collections.abc import Callable
from typing import Any

log = logging.getLogger("gpjob_widget")


def _kernel() -> Any:
    ipython = sys.modules.get("IPython")
    shell = ipython.get_ipython() if ipython is not None else None
    return getattr(shell, "kernel", None)


def _widgets() -> dict[str, Any]:
    """Live widgets by model id (ipywidgets 8 keeps them in ``_instances``, 7 in
    ``Widget.widgets``)."""
    try:
        from ipywidgets.widgets.widget import _instances

        return _instances
    except ImportError:
        from ipywidgets import Widget

        return Widget.widgets


def comm_pump() -> Callable[[], None] | None:
    """A pump for the running ipykernel 6, or None where none is needed (ipykernel 7, no
    kernel, a kernel we do not know)."""
    kernel = _kernel()
    ipykernel = sys.modules.get("ipykernel")
    version = getattr(ipykernel, "version_info", (7,))
    if kernel is None or version >= (7,) or not hasattr(kernel, "msg_queue"):
        return None
    return lambda: pump(kernel)


def pump(kernel: Any) -> None:
    """Handle now the queued comm messages of gpjob_widget's widgets; requeue the rest."""
    queue = kernel.msg_queue
    if not queue.qsize():
        return
    items = []
    while not queue.empty():
        items.append(queue.get_nowait())
    ours = []
    for item in items:  # requeued before anything runs: the order of the others is kept
        found = _our_comm_message(kernel, item)
        if found is None:
            queue.put_nowait(item)
        else:
            ours.append(found)
    for comm, msg in ours:
        try:
            comm.handle_msg(msg)
        except Exception:  # one broken click must not break the awaiting cell
            log.exception("gpjob_widget: a card message failed")


def _our_comm_message(kernel: Any, item: Any) -> tuple[Any, dict] | None:
    try:
        _, dispatch, args = item
        if getattr(dispatch, "__func__", dispatch) is not \
                getattr(kernel.dispatch_shell, "__func__", None) or not args:
            return None
        _, frames = kernel.session.feed_identities(args[0], copy=False)
        # a peek: deserialising the content would record the signature, and the kernel
        # would later refuse the message we leave it as a replay ("Duplicate Signature")
        peek = kernel.session.deserialize(frames, content=False, copy=False)
        if peek["header"].get("msg_type") != "comm_msg":
            return None
        packed = peek["content"]
        comm_id = kernel.session.unpack(bytes(getattr(packed, "bytes", packed))).get("comm_id")
        widget = _widgets().get(comm_id)
        if widget is None or not getattr(widget, "_handles_clicks_while_awaited", False):
            return None
        return widget.comm, kernel.session.deserialize(frames, content=True, copy=False)
    except Exception:  # not a message we can read: leave it to the kernel
        return None


def when_idle(delay: float, fn: Callable[[], Any]) -> bool:
    """Run *fn* on the kernel's own loop *delay* s after the loop is next free (after the
    messages that queued meanwhile); False outside a kernel."""
    kernel = _kernel()
    loop = getattr(kernel, "io_loop", None)
    if loop is None:
        return False
    loop.add_callback(lambda: loop.call_later(delay, fn))
    return True
