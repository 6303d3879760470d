"""A small Powertools tracing provider that sends X-Ray subsegments straight to the Lambda X-Ray daemon.

Why not the X-Ray SDK (Powertools' default provider): importing ``aws_xray_sdk.core`` took 150-400 ms of every cold
start here (``python -X importtime``; its module builds an ``AsyncAWSXRayRecorder`` and pulls in asyncio), about as
much as ``import boto3``. What the Lambdas trace is small: the handler (Powertools' ``capture_lambda_handler`` /
``capture_method`` call :meth:`XRayDaemonProvider.in_subsegment`) and each AWS SDK call (:func:`trace_client`).

Protocol: each closed subsegment is one UDP datagram ``{"format": "json", "version": 1}\\n{document}`` to
``AWS_XRAY_DAEMON_ADDRESS`` (X-Ray developer guide, "Sending trace data to AWS X-Ray" > "Sending segment documents to
the X-Ray daemon"); an independently sent subsegment carries ``type: subsegment``, ``trace_id`` and ``parent_id``
(X-Ray developer guide, "AWS X-Ray segment documents"). The trace and the function segment's id come from
``_X_AMZN_TRACE_ID`` (``Root=...;Parent=...;Sampled=1``), which Lambda sets for each invocation (Lambda developer
guide, "Defined runtime environment variables"). Unsampled invocations and runs outside Lambda send nothing.
"""

from __future__ import annotations

import json
import os
import socket
import threading
import time
from collections.abc import Iterator
from contextlib import asynccontextmanager, contextmanager
from typing import Any

from aws_lambda_powertools.shared.functions import resolve_truthy_env_var_choice
from aws_lambda_powertools.tracing.base import BaseProvider, BaseSegment

HEADER = b'{"format": "json", "version": 1}\n'
DEFAULT_DAEMON = "127.0.0.1:2000"
MAX_DATAGRAM = 64 * 1024  # the daemon's limit for one segment document


def tracing_enabled() -> bool:
    """Powertools' own rule (``Tracer._is_tracer_disabled``): inside Lambda, unless ``POWERTOOLS_TRACE_DISABLED``."""
    try:  # the same parser as Powertools' Tracer, so both read one value the same way
        disabled = resolve_truthy_env_var_choice(env=os.environ.get("POWERTOOLS_TRACE_DISABLED", "false"))
    except ValueError:  # not a truth value: Powertools' Tracer refuses it at init; here tracing stays as it was
        disabled = False
    local = "AWS_SAM_LOCAL" in os.environ or "AWS_CHALICE_CLI_MODE" in os.environ
    return "LAMBDA_TASK_ROOT" in os.environ and not disabled and not local


def trace_header() -> dict[str, str]:
    """``_X_AMZN_TRACE_ID`` as a dict: Root, Parent, Sampled (empty when unset)."""
    parts = (part.partition("=") for part in os.environ.get("_X_AMZN_TRACE_ID", "").split(";"))
    return {key.strip(): value.strip() for key, _, value in parts if key.strip()}


class Subsegment(BaseSegment):
    """One unit of work; sent to the daemon when closed (if the invocation is traced)."""

    def __init__(self, name: str, *, parent_id: str, trace_id: str, sampled: bool, namespace: str | None = None):
        self.document: dict[str, Any] = {
            "name": name[:200],
            "id": os.urandom(8).hex(),
            "trace_id": trace_id,
            "parent_id": parent_id,
            "type": "subsegment",
            "start_time": time.time(),
        }
        if namespace:
            self.document["namespace"] = namespace
        self.sampled = sampled

    @property
    def id(self) -> str:
        return str(self.document["id"])

    def close(self, end_time: int | None = None) -> None:
        self.document["end_time"] = end_time or time.time()
        if self.sampled:
            _send(self.document)

    def add_subsegment(self, subsegment: Any) -> None:
        """Children are sent on their own, each naming its parent: nothing to keep here."""

    def remove_subsegment(self, subsegment: Any) -> None:
        """See :meth:`add_subsegment`."""

    def put_annotation(self, key: str, value: Any) -> None:
        self.document.setdefault("annotations", {})[key] = value

    def put_metadata(self, key: str, value: Any, namespace: str = "default") -> None:
        self.document.setdefault("metadata", {}).setdefault(namespace, {})[key] = value

    def add_exception(self, exception: BaseException, stack: Any = None, remote: bool = False) -> None:
        self.document["fault"] = True
        described = {"id": os.urandom(8).hex(), "message": str(exception)[:500], "type": type(exception).__name__}
        self.document["cause"] = {"working_directory": os.getcwd(), "exceptions": [described | {"remote": remote}]}


class XRayDaemonProvider(BaseProvider):
    """Subsegments nest per thread; a thread with none open (a worker of the call center's pool) hangs its work under
    the invocation's outermost subsegment, so parallel DynamoDB calls appear inside the handler's."""

    def __init__(self) -> None:
        self._local = threading.local()
        self._root: Subsegment | None = None

    def begin(self, name: str, namespace: str | None = None, *, leaf: bool = False) -> Subsegment:
        stack = self._stack()
        parent = stack[-1] if stack else self._root
        header = trace_header()
        traced = tracing_enabled() and header.get("Sampled") == "1" and "Root" in header and "Parent" in header
        segment = Subsegment(
            name,
            parent_id=parent.id if parent else header.get("Parent", ""),
            trace_id=header.get("Root", ""),
            sampled=traced,
            namespace=namespace,
        )
        if parent is None and not leaf:
            self._root = segment
        return segment

    def end(self, segment: Subsegment) -> None:
        if segment is self._root:
            self._root = None
        segment.close()

    @contextmanager
    def in_subsegment(self, name: str | None = None, **kwargs: Any) -> Iterator[Subsegment]:
        segment = self.begin(name or "subsegment", kwargs.get("namespace"))
        stack = self._stack()
        stack.append(segment)
        try:
            yield segment
        except Exception as error:
            segment.add_exception(error)
            raise
        finally:
            stack.pop()
            self.end(segment)

    @asynccontextmanager
    async def in_subsegment_async(self, name: str | None = None, **kwargs: Any) -> Any:
        with self.in_subsegment(name, **kwargs) as segment:
            yield segment

    def put_annotation(self, key: str, value: Any) -> None:
        if stack := self._stack():
            stack[-1].put_annotation(key, value)

    def put_metadata(self, key: str, value: Any, namespace: str = "default") -> None:
        if stack := self._stack():
            stack[-1].put_metadata(key, value, namespace)

    def patch(self, modules: Any) -> None:
        """Nothing is patched: AWS clients are traced explicitly with :func:`trace_client`."""

    def patch_all(self) -> None:
        """See :meth:`patch`."""

    def _stack(self) -> list[Subsegment]:
        if not hasattr(self._local, "stack"):
            self._local.stack = []
        stack: list[Subsegment] = self._local.stack
        return stack


def trace_client(client: Any, provider: XRayDaemonProvider) -> Any:
    """A subsegment per API call of a botocore client, in the X-Ray SDK's shape for AWS calls (``namespace: aws``,
    ``aws.operation``, ``aws.table_name``, ``http.response.status``), through botocore's ``before-call`` /
    ``after-call`` / ``after-call-error`` events (botocore ``BaseClient._make_api_call`` emits them; not
    ``before-call``, which botocore stops at the first handler that answers, e.g. a Stubber). A call refused by
    parameter validation opens a subsegment that is never sent: a leaf, it parents nothing. Call it once, before the
    client is shared: boto3's guide ("Multithreading or multiprocessing with clients") warns that custom botocore
    events need review for thread safety; these hooks register up front and keep per-call state only in botocore's
    per-call ``context`` dict."""
    service = client.meta.service_model.service_id.hyphenize()
    region = client.meta.region_name

    def before(params: dict[str, Any], model: Any, context: dict[str, Any], **_: Any) -> None:
        segment = provider.begin(client.meta.service_model.service_id.replace(" ", ""), namespace="aws", leaf=True)
        segment.document["aws"] = {"operation": model.name, "region": region}
        if params.get("TableName"):
            segment.document["aws"]["table_name"] = params["TableName"]
        context["tlj_subsegment"] = segment

    def after(http_response: Any, parsed: dict[str, Any], context: dict[str, Any], **_: Any) -> None:
        segment = context.pop("tlj_subsegment", None)
        if segment is None:
            return
        meta = parsed.get("ResponseMetadata", {})
        segment.document["aws"] |= {"request_id": meta.get("RequestId", ""), "retries": meta.get("RetryAttempts", 0)}
        status = getattr(http_response, "status_code", 0)
        segment.document["http"] = {"response": {"status": status}}
        if status == 429 or 400 <= status < 500:
            segment.document["throttle" if status == 429 else "error"] = True
        elif status >= 500:
            segment.document["fault"] = True
        provider.end(segment)

    def failed(exception: BaseException, context: dict[str, Any], **_: Any) -> None:
        segment = context.pop("tlj_subsegment", None)
        if segment is not None:
            segment.add_exception(exception, remote=True)
            provider.end(segment)

    client.meta.events.register(f"before-parameter-build.{service}", before)
    client.meta.events.register(f"after-call.{service}", after)
    client.meta.events.register(f"after-call-error.{service}", failed)
    return client


_socket: socket.socket | None = None


def _send(document: dict[str, Any]) -> None:
    """Fire and forget: tracing must never fail or slow down an answer."""
    global _socket
    try:
        payload = HEADER + json.dumps(document, default=str, separators=(",", ":")).encode()
        if len(payload) > MAX_DATAGRAM:
            return
        host, _, port = os.environ.get("AWS_XRAY_DAEMON_ADDRESS", DEFAULT_DAEMON).rpartition(":")
        if _socket is None:
            _socket = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        _socket.sendto(payload, (host, int(port)))
    except (OSError, ValueError, TypeError):
        return
