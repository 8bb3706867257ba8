"""One HTTP session for every archive: retries with exponential backoff, a default timeout, a deadline and a size
cap for each reply, one-line errors."""

import io
import time
from contextlib import contextmanager
from dataclasses import dataclass

import requests
import urllib3
from requests.adapters import HTTPAdapter
from urllib3.util.retry import Retry

from stellarnn.datasets.fetch import DEADLINE_FACTOR, MAX_MB
from stellarnn.errors import UserInputError

# Answers worth asking again: rate limiting and the usual transient server failures.
TRANSIENT_STATUSES = (429, 500, 502, 503, 504)
_CHUNK = 1 << 16


class FetchError(UserInputError):
    """The archive could not be read; the message says why and what to do instead."""


@dataclass(frozen=True)
class Network:
    """How patient to be with a remote service, and how much of it to take."""

    timeout_s: float = 120.0
    retries: int = 4
    backoff_s: float = 1.0
    max_mb: float = MAX_MB

    @property
    def deadline_s(self) -> float:
        return DEADLINE_FACTOR * self.timeout_s


class ReplyRefused(requests.RequestException):
    """A reply too slow or too big to keep; it is dropped before anyone parses it, so nothing partial is cached."""


class _Body(io.BytesIO):
    """A reply already read whole, readable again as ``response.raw``: pyvo reads it with ``decode_content``, and
    requests takes the cookies from ``_original_response``."""

    def __init__(self, body: bytes, raw):
        super().__init__(body)
        self._original_response = getattr(raw, "_original_response", None)

    def read(self, size=-1, decode_content=True):
        return super().read(size)


def _read_bounded(raw, network: Network) -> bytes:
    """The decompressed body, read as it comes (``read1``) so the deadline and the cap are checked between bytes."""
    body = io.BytesIO()
    deadline = time.monotonic() + network.deadline_s
    try:
        while chunk := raw.read1(_CHUNK, decode_content=True):
            body.write(chunk)
            if body.tell() > network.max_mb * 1e6:
                raise ReplyRefused(f"its reply is larger than {network.max_mb:g} MB (--max-mb); nothing was cached")
            if time.monotonic() > deadline:
                raise ReplyRefused(
                    f"its reply was still arriving after {network.deadline_s:g} s ({DEADLINE_FACTOR} x --timeout); "
                    "nothing was cached"
                )
    except urllib3.exceptions.HTTPError as exc:  # as requests' own reading reports a broken or silent connection
        raise requests.ConnectionError(exc) from exc
    return body.getvalue()


class _BoundedAdapter(HTTPAdapter):
    """Reads every reply whole within the deadline and the size cap, before anyone parses it."""

    def __init__(self, network: Network, retry: Retry):
        super().__init__(max_retries=retry)
        self.network = network

    def send(self, request, **kwargs):
        response = super().send(request, **kwargs)
        try:
            body = _read_bounded(response.raw, self.network)
        except BaseException:
            response.close()
            raise
        response._content, response._content_consumed = body, True  # as requests marks a body it has read
        response.raw = _Body(body, response.raw)
        return response


class _PatientSession(requests.Session):
    """A session whose requests time out by default (the client libraries do not all pass a timeout)."""

    def __init__(self, timeout_s: float):
        super().__init__()
        self.default_timeout_s = timeout_s

    def request(self, method, url, **kwargs):
        if kwargs.get("timeout") is None:
            kwargs["timeout"] = self.default_timeout_s
        return super().request(method, url, **kwargs)


def session(network: Network) -> requests.Session:
    """Retries read timeouts and transient statuses (and a failed connection once), for every method: TAP
    submits queries with POST."""
    retry = Retry(
        total=network.retries,
        connect=min(network.retries, 1),  # a refused or unresolvable host is not worth waiting for
        read=network.retries,
        status=network.retries,
        backoff_factor=network.backoff_s,
        status_forcelist=TRANSIENT_STATUSES,
        allowed_methods=None,
        raise_on_status=True,
    )
    s = _PatientSession(network.timeout_s)
    adapter = _BoundedAdapter(network, retry)
    s.mount("http://", adapter)
    s.mount("https://", adapter)
    s.headers["User-Agent"] = "stellarnn (https://pypi.org/project/stellarnn)"
    return s


def _chain(exc: BaseException) -> list[BaseException]:
    """The exception and everything it wraps: pyvo wraps requests, which wraps urllib3, which names the cause."""
    chain = []
    while exc is not None and exc not in chain:
        chain.append(exc)
        exc = getattr(exc, "cause", None) or exc.__cause__ or exc.__context__
    return chain


def describe(exc: BaseException, network: Network) -> str:
    """A short reason for a failed request, in words a user can act on."""
    chain = _chain(exc)
    refused = next((e for e in chain if isinstance(e, ReplyRefused)), None)
    if refused is not None:
        return str(refused)
    attempts = f"{network.retries + 1} attempt{'s' if network.retries else ''}"
    text = " ".join(str(e) for e in chain)
    first_line = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
    if any(isinstance(e, requests.exceptions.RetryError) for e in chain):
        status = next((s for s in TRANSIENT_STATUSES if f"{s} error" in text), None)
        return f"it kept answering with {f'HTTP {status}' if status else 'a server error'} ({attempts})"
    if any(isinstance(e, requests.Timeout) for e in chain) or "timed out" in text.lower():
        return f"no answer within {network.timeout_s:g} s ({attempts})"
    if any(isinstance(e, requests.ConnectionError) for e in chain):
        return "no connection (is the network down?)"
    if any(type(e).__name__ == "DALFormatError" or type(e).__module__.startswith("astropy.io.votable") for e in chain):
        return f"its reply is not a VOTable ({first_line.rsplit('E19: ', 1)[-1]}); nothing was cached"
    return f"{first_line}; nothing was cached"


def is_network_failure(exc: BaseException) -> bool:
    """True when nothing came back at all (as opposed to a reply we could not use)."""
    return any(isinstance(e, (requests.ConnectionError, requests.Timeout)) for e in _chain(exc))


@contextmanager
def archive_errors(service: str, url: str, network: Network, instead: str):
    """Turn any failure talking to ``service`` into one FetchError line; ``instead`` names the offline alternative."""
    try:
        yield
    except UserInputError:  # already one line that says what to do (e.g. a damaged cache: --refresh)
        raise
    except Exception as exc:
        if exc.__class__.__module__.startswith(("requests", "urllib3", "pyvo", "astropy", "http")) or isinstance(
            exc, (OSError, ValueError)
        ):
            reason = describe(exc, network)
            hint = f"; {instead}" if is_network_failure(exc) else ""
            raise FetchError(f"cannot fetch from {service} ({url}): {reason}{hint}") from None
        raise
