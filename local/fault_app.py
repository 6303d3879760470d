"""The preview order service of a rehearsal: ``uvicorn local.fault_app:app`` serves the very app of
``order_service.main``, with the fault named by ``TLJ_FAULT`` (``local.faults``: none, 5xx=R, latency=S) inserted.

PYTHONPATH must hold the repository root, containers/order and containers/common (``local.rehearsal_platform``
sets it). An invalid ``TLJ_FAULT`` stops the process at import, before it listens.
"""

from __future__ import annotations

import os

from local.faults import FAULT_ENV, install_fault, parse_fault
from order_service.main import app

__all__ = ["app"]

install_fault(app, parse_fault(os.environ.get(FAULT_ENV, "none")))
