"""The one HTTP client: every request releasecare makes goes through here.

Customer registries, the deploy APIs (GitHub, GitLab) and, later, e-mail/webhook/
Slack delivery share one policy:

* The token comes from a named environment variable, never from an argument, and
  never appears in a message. A variable that was named but is unset is an
  ``InputError`` naming the variable.
* Every request has a connect and a read timeout and an overall deadline that
  covers all its attempts, the waits between them and the reading of the body
  (read in chunks, so a server that drips one byte a second cannot hang us).
* Retries are bounded, with exponential backoff; ``Retry-After`` (seconds) and
  ``X-RateLimit-Reset`` are honoured, every wait is capped. 5xx, 429, a 403 with
  ``X-RateLimit-Remaining: 0`` (a rate limit, not an auth failure) and connection
  errors are retried; 401 and other 403s fail at once with a hint naming the
  token's variable; other 4xx fail at once.
* POST is retried like GET only when the caller passes an ``idempotency_key``
  (sent as ``Idempotency-Key``, so the server can drop a duplicate). Without one,
  a POST is retried only when the connection failed before anything was sent
  (refused, unresolvable, connect timeout): a POST that may have reached the
  server is never sent twice.
* The answer's size is capped (``Options.max_bytes``).
* ``Link: rel="next"`` pagination (``pages``) and ``offset``/``limit`` pagination
  with a ``more`` flag (``offset_pages``, PagerDuty's) are generators that stop with
  a ``NetworkError`` (the server misbehaves) on a page it has already read (a loop),
  after ``Options.max_pages`` pages, or when ``Options.pages_deadline`` has passed
  for all the pages together.
* The deadlines can be set for a run: ``RELEASECARE_HTTP_DEADLINE`` (one request,
  default 120 s) and ``RELEASECARE_HTTP_PAGES_DEADLINE`` (all the pages of one
  listing, default 600 s).
* Every URL in every message goes through ``redact``: no query string (where some
  APIs take tokens), no ``user:password@``; a message never quotes the text of a
  library's exception (it may hold the URL), only the exception's name.

Only this module imports ``requests``, and only inside the functions that send,
so ``releasecare --help`` never pays for it.
"""

from __future__ import annotations

import functools
import json
import os
import queue
import re
import signal
import threading
import time
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from types import TracebackType
from typing import Any
from urllib.parse import parse_qsl, urlencode, urljoin, urlsplit, urlunsplit

from releasecare.errors import InputError, NetworkError
from releasecare.times import seconds_from_env

DEFAULT_RETRIES = 4
DEFAULT_TIMEOUT = 10.0
DEFAULT_DEADLINE = 120.0
DEFAULT_PAGES_DEADLINE = 600.0
DEADLINE_ENV = "RELEASECARE_HTTP_DEADLINE"
PAGES_DEADLINE_ENV = "RELEASECARE_HTTP_PAGES_DEADLINE"
DEFAULT_MAX_BYTES = 50 * 1024 * 1024
DEFAULT_MAX_PAGES = 1000
MAX_WAIT = 60.0
CHUNK = 64 * 1024

# Replaced by tests so that backoff does not sleep for real; a Client may also be
# given its own. Looked up at call time, so monkeypatching this name works.
sleep: Callable[[float], None] = time.sleep
clock: Callable[[], float] = time.monotonic

_USERINFO = re.compile(r"(//)[^/?#@]*@")


def redact(url: str) -> str:
    """``url`` as it may appear in a message: no query, fragment or ``user:password@``.

    Text that is not a URL (a file name) is returned as it is.
    """
    if "://" not in url:
        return url
    try:
        parts = urlsplit(url)
        return urlunsplit((parts.scheme, parts.netloc.rpartition("@")[2], parts.path, "", ""))
    except ValueError:  # e.g. a malformed IPv6 host: cut by hand
        return _USERINFO.sub(r"\1", re.split(r"[?#]", url, maxsplit=1)[0])


@dataclass(frozen=True)
class Options:
    """Timeouts, retries and limits of a ``Client`` (seconds, bytes)."""

    connect_timeout: float = DEFAULT_TIMEOUT
    read_timeout: float = DEFAULT_TIMEOUT
    deadline: float = DEFAULT_DEADLINE
    max_retries: int = DEFAULT_RETRIES
    max_bytes: int = DEFAULT_MAX_BYTES
    max_pages: int = DEFAULT_MAX_PAGES
    max_wait: float = MAX_WAIT
    pages_deadline: float = DEFAULT_PAGES_DEADLINE

    @classmethod
    def of(cls, timeout: float, max_retries: int) -> Options:
        """Options with one timeout for connecting and reading (what sources take), and
        the deadlines of this run's environment (``RELEASECARE_HTTP_DEADLINE``,
        ``RELEASECARE_HTTP_PAGES_DEADLINE``)."""
        return cls(
            connect_timeout=timeout,
            read_timeout=timeout,
            max_retries=max_retries,
            deadline=seconds_from_env(DEADLINE_ENV, DEFAULT_DEADLINE),
            pages_deadline=seconds_from_env(PAGES_DEADLINE_ENV, DEFAULT_PAGES_DEADLINE),
        )


@dataclass(frozen=True)
class Response:
    """A complete answer (status below 300): its body is read and within the size cap."""

    url: str
    status: int
    headers: Mapping[str, str]
    body: bytes
    label: str = ""

    @property
    def shown(self) -> str:
        return self.label or redact(self.url)

    def json(self) -> Any:
        try:
            return json.loads(self.body)
        except (ValueError, RecursionError):  # also nesting and digits beyond json's limits
            raise InputError(f"{self.shown}: the answer is not JSON") from None

    @property
    def next_url(self) -> str | None:
        """The absolute URL of the ``Link: <...>; rel="next"`` page, if any."""
        for target, rels in _links(self.headers.get("Link", "")):
            if "next" in rels:
                return urljoin(self.url, target)
        return None


@dataclass
class Client:
    """A session with fixed headers, an optional token and ``Options``; use it as a
    context manager (``with Client(...) as client:``) so its connections close.

    ``token_env`` names the environment variable holding the token; it is sent as
    ``token_header: token_prefix + token``. With ``token_optional`` an unset
    variable sends no token (public APIs); otherwise it is an ``InputError``.
    """

    token_env: str | None = None
    headers: Mapping[str, str] = field(default_factory=dict)
    options: Options = field(default_factory=Options)
    token_header: str = "Authorization"
    token_prefix: str = "Bearer "
    token_optional: bool = False
    sleep: Callable[[float], None] | None = None
    _session: Any = field(default=None, init=False, repr=False)
    _token_set: bool = field(default=False, init=False, repr=False)
    _worker: _Worker | None = field(default=None, init=False, repr=False)

    def __post_init__(self) -> None:
        headers = dict(self.headers)
        if self.token_env:
            token = os.environ.get(self.token_env, "")
            if token:
                headers[self.token_header] = self.token_prefix + token
                self._token_set = True
            elif not self.token_optional:
                raise InputError(
                    f"the environment variable {self.token_env} (the API token) is not set",
                    hint=f"export {self.token_env}=... before running releasecare",
                )
        self.headers = headers

    def __enter__(self) -> Client:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        value: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.close()

    def close(self) -> None:
        if self._worker is not None:
            self._worker.stop()
            self._worker = None
        if self._session is not None:
            self._session.close()
            self._session = None

    # --- the verbs -------------------------------------------------------------

    def get(self, url: str, *, label: str | None = None, until: float | None = None) -> Response:
        """GET ``url`` with retries; raises ``NetworkError``/``InputError``. ``until``
        (a ``clock()`` time) ends the request earlier than its own deadline would."""
        return self._send("GET", url, label=label, retry_answers=True, body={}, until=until)

    def get_json(self, url: str, *, label: str | None = None) -> Any:
        return self.get(url, label=label).json()

    def pages(self, url: str) -> Iterator[tuple[str, Any]]:
        """``(page url, parsed JSON)`` for ``url`` and each page its ``Link: rel="next"``
        headers lead to. A page seen before (a loop), more than ``max_pages`` pages, or
        all of them taking longer than ``pages_deadline`` is a ``NetworkError``."""
        seen: dict[str, int] = {}
        next_url: str | None = url
        until = clock() + self.options.pages_deadline
        while next_url is not None:
            if next_url in seen:
                raise NetworkError(
                    f"{redact(next_url)}: page {len(seen)} links back to page"
                    f" {seen[next_url]} as its next page (a pagination loop)",
                    hint="the server's Link headers go round in a circle; report it to "
                    "whoever runs it",
                )
            self._next_page(url, len(seen), until)
            seen[next_url] = len(seen) + 1
            response = self.get(next_url, until=until)
            yield next_url, response.json()
            next_url = response.next_url

    def offset_pages(self, url: str, *, limit: int = 100) -> Iterator[tuple[str, Any]]:
        """``(page url, parsed JSON)`` for each page of an ``offset``/``limit`` listing
        (PagerDuty's): ``url`` with ``offset=0``, then each next offset while the
        page's ``more`` is true. The offset grows by the page's own ``limit`` (the
        server may cap ours). A page the same as one before (the server ignores the
        offset: a loop), more than ``max_pages`` pages, or all of them taking longer
        than ``pages_deadline`` is a ``NetworkError``."""
        seen: dict[int, int] = {}  # the hash of each page's body: its number
        offset = 0
        until = clock() + self.options.pages_deadline
        while True:
            self._next_page(url, len(seen), until)
            page_url = with_query(url, offset=offset, limit=limit)
            response = self.get(page_url, until=until)
            digest = hash(response.body)
            if digest in seen:
                raise NetworkError(
                    f"{redact(url)}: page {len(seen) + 1} (offset {offset}) is page "
                    f"{seen[digest]} again (a pagination loop)",
                    hint="the server ignores the offset; report it to whoever runs it",
                )
            seen[digest] = len(seen) + 1
            page = response.json()
            yield page_url, page
            if not isinstance(page, dict) or page.get("more") is not True:
                return
            step = page.get("limit")
            if isinstance(step, int) and not isinstance(step, bool) and step > 0:
                offset += step
            else:
                offset += limit

    def _next_page(self, url: str, read: int, until: float) -> None:
        """Whether another page may be read after ``read`` pages: a ``NetworkError``
        past ``max_pages`` or the deadline for all the pages."""
        if read >= self.options.max_pages:
            raise NetworkError(f"{redact(url)}: more than {self.options.max_pages} pages; stopped")
        if clock() >= until:
            raise NetworkError(
                f"{redact(url)}: the {self.options.pages_deadline:g} s deadline for all "
                f"the pages passed after {read} pages",
                hint=f"the server is too slow; try again later, or raise {PAGES_DEADLINE_ENV}",
            )

    def post(
        self,
        url: str,
        *,
        json_body: Any = None,
        data: bytes | None = None,
        headers: Mapping[str, str] | None = None,
        idempotency_key: str | None = None,
        label: str | None = None,
    ) -> Response:
        """POST ``json_body`` (or raw ``data``). With an ``idempotency_key`` (sent as
        ``Idempotency-Key``) it is retried like a GET; without one only when the
        connection failed before anything was sent. ``label`` replaces the URL in
        messages (for URLs whose path is a secret, like Slack webhooks)."""
        extra = dict(headers or {})
        if idempotency_key:
            extra["Idempotency-Key"] = idempotency_key
        # A redirect is not followed: it could carry the body to another host.
        body: dict[str, Any] = {"headers": extra, "allow_redirects": False}
        if data is not None:
            body["data"] = data
        else:
            body["json"] = json_body
        return self._send(
            "POST",
            url,
            label=label,
            retry_answers=idempotency_key is not None,
            body=body,
            until=None,
        )

    # --- the machinery -----------------------------------------------------------

    def _send(
        self,
        method: str,
        url: str,
        *,
        label: str | None,
        retry_answers: bool,
        body: dict[str, Any],
        until: float | None,
    ) -> Response:
        import requests

        options = self.options
        shown = label or redact(url)
        pause = self.sleep or sleep
        deadline = clock() + options.deadline
        late = f"the {options.deadline:g} s deadline"
        if until is not None and until < deadline:
            deadline = until
            late = f"the {options.pages_deadline:g} s deadline for all the pages"
        attempts = options.max_retries + 1
        last = "no answer"
        failure: dict[str, Any] = {}  # what the last failure told (NetworkError's fields)
        for attempt in range(attempts):
            remaining = deadline - clock()
            if remaining <= 0:
                raise _late(shown, late, last)
            wait = min(0.5 * 2**attempt, options.max_wait)
            try:
                raw = self._before(
                    deadline,
                    functools.partial(
                        self._session_for().request,
                        method,
                        url,
                        stream=True,
                        timeout=(
                            min(options.connect_timeout, remaining),
                            min(options.read_timeout, remaining),
                        ),
                        **body,
                    ),
                )
            except _Late:
                self.close()  # the connection is still busy with the slow server
                raise _late(
                    shown, late, "the answer's headers were still arriving", maybe_sent=True
                ) from None
            except requests.RequestException as exc:
                last = type(exc).__name__
                failure = {"maybe_sent": not _before_sending(exc)}
                if not (retry_answers or _before_sending(exc)):
                    raise NetworkError(f"{shown}: {last}", **failure) from None
            else:
                with raw:
                    status = raw.status_code
                    if status < 300:
                        return Response(
                            url=url,
                            status=status,
                            headers=raw.headers,
                            body=self._read(raw, shown, deadline, late),
                            label=label or "",
                        )
                    last = f"HTTP {status}"
                    after = raw.headers.get("Retry-After", "").strip()
                    failure = {
                        "status": status,
                        "retry_after": float(after) if after.isdigit() else None,
                        "reply": _reply_start(raw),
                    }
                    limited = status == 429 or (
                        status == 403 and raw.headers.get("X-RateLimit-Remaining") == "0"
                    )
                    if status in (401, 403) and not limited:
                        raise NetworkError(f"{shown}: {last}", hint=self._token_hint(), **failure)
                    if (not limited and status < 500) or not retry_answers:
                        raise NetworkError(f"{shown}: {last}", **failure)
                    wait = _server_wait(raw.headers, wait, options.max_wait)
            if attempt + 1 < attempts:
                if clock() + wait > deadline:
                    raise _late(shown, late, last)
                pause(wait)
        raise NetworkError(f"{shown}: {last} after {attempts} attempts", **failure)

    def _before(self, deadline: float, send: Callable[[], Any]) -> Any:
        """``send()``, given until ``deadline``: on the main thread under a real-time
        alarm (no thread to hand it to), elsewhere on the client's worker thread (a
        worker left behind with a late send is replaced; see ``_Worker``)."""
        if _alarm_free():
            return _under_alarm(deadline, send)
        if self._worker is None:
            self._worker = _Worker()
        try:
            return self._worker.run(deadline, send)
        except _Late:
            self._worker = None  # still busy with the slow server; it ends on its own
            raise

    def _session_for(self) -> Any:
        if self._session is None:
            import requests

            self._session = requests.Session()
            self._session.headers.update(self.headers)
        return self._session

    def _read(self, raw: Any, shown: str, deadline: float, late: str) -> bytes:
        """The body, read a chunk at a time against the deadline and the size cap."""
        limit = self.options.max_bytes
        length = raw.headers.get("Content-Length", "")
        if length.isdigit() and int(length) > limit:
            raise self._too_big(shown)
        stream = raw.raw
        read = getattr(stream, "read1", None) or stream.read  # read1: what has arrived
        chunks: list[bytes] = []
        size = 0
        while True:
            if clock() > deadline:
                raise _late(shown, late, "the answer was still arriving")
            try:
                chunk = read(CHUNK)
            except Exception as exc:  # requests', urllib3's and socket errors alike
                raise NetworkError(f"{shown}: {type(exc).__name__} while reading") from None
            if not chunk:
                return b"".join(chunks)
            size += len(chunk)
            if size > limit:
                raise self._too_big(shown)
            chunks.append(chunk)

    def _too_big(self, shown: str) -> InputError:
        return InputError(f"{shown}: the answer is larger than {_size(self.options.max_bytes)}")

    def _token_hint(self) -> str:
        if not self.token_env:
            return "the server wants a token; name the environment variable that holds it"
        unset = "" if self._token_set else f" ({self.token_env} is not set)"
        return f"check the token in the environment variable {self.token_env}{unset}"


def _reply_start(raw: Any) -> str | None:
    """The first few hundred bytes of a refusal's body, as text (Slack says why there)."""
    try:
        read = getattr(raw.raw, "read1", None) or raw.raw.read
        start = bytes(read(512))
    except Exception:  # the body is a courtesy; the status says enough
        return None
    return start.decode("utf-8", "replace").strip() or None


class _Late(BaseException):
    """The deadline passed before the answer's headers arrived. A BaseException, as
    KeyboardInterrupt is: raised by the alarm from inside requests and urllib3, it
    must pass their ``except Exception`` clauses untouched."""


def _alarm_free() -> bool:
    """Whether a send may run under SIGALRM: on the main thread (only it gets
    signals), with no other alarm set (a template's deadline, a caller's own)."""
    if threading.current_thread() is not threading.main_thread():
        return False
    return signal.getitimer(signal.ITIMER_REAL) == (0.0, 0.0) and signal.getsignal(
        signal.SIGALRM
    ) in (signal.SIG_DFL, signal.SIG_IGN, None)


def _under_alarm(deadline: float, send: Callable[[], Any]) -> Any:
    """``send()`` interrupted by ``_Late`` when ``deadline`` passes first: socket
    timeouts bound each read, not the whole, and a server that drips its headers a
    byte at a time would keep a send busy for ever."""
    remaining = deadline - clock()
    if remaining <= 0:
        raise _Late

    def expire(_signum: int, _frame: object) -> None:
        raise _Late

    previous = signal.signal(signal.SIGALRM, expire)
    try:
        signal.setitimer(signal.ITIMER_REAL, remaining)
        try:
            return send()
        except _Late:
            pass  # raised again below, once the interrupted frames are let go
        finally:
            signal.setitimer(signal.ITIMER_REAL, 0)
    finally:
        signal.signal(signal.SIGALRM, previous)
    # The alarm may have come anywhere in requests or urllib3: between connecting and
    # handing the socket to its connection object, say, where nothing closes it. Out of
    # the except clause its traceback, and with it every frame and socket it held, is
    # freed now (not when some caller drops the error), so the server sees the
    # connection close instead of waiting on half a request.
    raise _Late


class _Worker:
    """A daemon thread that runs one send at a time for a client, each given until a
    deadline (a ``clock()`` time) to return.

    Socket timeouts bound each read, not the whole: a server that drips its headers
    a byte at a time would keep a send busy for ever. So sends run on this thread,
    and when a deadline passes first the caller gets ``_Late`` and this worker is
    abandoned (its thread ends when the send does). One thread serves every request
    of a client, instead of one started per request.
    """

    def __init__(self) -> None:
        self._jobs: queue.SimpleQueue[tuple[Callable[[], Any], queue.SimpleQueue[Any]] | None]
        self._jobs = queue.SimpleQueue()
        threading.Thread(target=self._serve, name="releasecare-http", daemon=True).start()

    def _serve(self) -> None:
        while (job := self._jobs.get()) is not None:
            send, answer = job
            try:
                answer.put((True, send()))
            except BaseException as exc:  # handed to the caller's thread
                answer.put((False, exc))

    def run(self, deadline: float, send: Callable[[], Any]) -> Any:
        answer: queue.SimpleQueue[tuple[bool, Any]] = queue.SimpleQueue()
        self._jobs.put((send, answer))
        try:
            ok, value = answer.get(timeout=max(deadline - clock(), 0.0))
        except queue.Empty:
            self.stop()
            raise _Late from None
        if not ok:
            raise value
        return value

    def stop(self) -> None:
        """The thread ends after what it is running (nothing, mostly)."""
        self._jobs.put(None)


def _late(shown: str, late: str, last: str, *, maybe_sent: bool = False) -> NetworkError:
    return NetworkError(
        f"{shown}: {late} passed ({last})",
        hint="the server is too slow or not answering; try again later",
        maybe_sent=maybe_sent,
    )


def _before_sending(exc: Exception) -> bool:
    """Whether a request failed before any byte of it went out (so a retry is safe)."""
    import requests

    if isinstance(exc, requests.ConnectTimeout):
        return True
    if isinstance(exc, requests.ConnectionError) and exc.args:
        from urllib3.exceptions import NewConnectionError

        reason = getattr(exc.args[0], "reason", exc.args[0])
        return isinstance(reason, NewConnectionError)  # refused, or the name did not resolve
    return False


def _server_wait(headers: Mapping[str, str], fallback: float, cap: float) -> float:
    retry_after = headers.get("Retry-After", "").strip()
    if retry_after.isdigit():
        return min(float(retry_after), cap)
    reset = headers.get("X-RateLimit-Reset", "").strip()
    if headers.get("X-RateLimit-Remaining") == "0" and reset.isdigit():
        return min(max(float(reset) - time.time(), 0.0), cap)
    return fallback


def with_query(url: str, **values: object) -> str:
    """``url`` with the query parameters ``values`` set (others kept, in order)."""
    parts = urlsplit(url)
    query = [(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True) if k not in values]
    query += [(k, str(v)) for k, v in values.items()]
    return urlunsplit(parts._replace(query=urlencode(query)))


def _links(header: str) -> Iterator[tuple[str, set[str]]]:
    """``(target, rels)`` of each ``<target>; rel="a b"`` in a Link header."""
    for match in re.finditer(r"<([^>]*)>([^<]*)", header):
        rel = re.search(r'rel\s*=\s*"?([^";,]+)"?', match.group(2))
        yield match.group(1).strip(), set(rel.group(1).split()) if rel else set()


def _size(n: int) -> str:
    mib = n / (1024 * 1024)
    return f"{mib:g} MiB" if mib >= 1 else f"{n} bytes"
