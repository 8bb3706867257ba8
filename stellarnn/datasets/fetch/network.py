"""One HTTP session for every archive: retries with exponential backoff, a default timeout, one-line errors."""

from contextlib import contextmanager
from dataclasses import dataclass

import requests
from requests.adapters import HTTPAdapter
from urllib3.util.retry import Retry

from stellarnn.errors import UserInputError

# Answers worth asking again: rate limiting and the usual transient server failures.
TRANSIENT_STATUSES = (429, 500, 502, 503, 504)


class FetchError(UserInputError):
    """The archive could not be read; the message says why and what to do instead."""


@dataclass(frozen=True)
class Network:
    """How patient to be with a remote service."""

    timeout_s: float = 120.0
    retries: int = 4
    backoff_s: float = 1.0


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
    adapter = HTTPAdapter(max_retries=retry)
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
    except FetchError:
        raise
    except Exception as exc:
        if exc.__class__.__module__.startswith(("requests", "urllib3", "pyvo", "astropy", "http")) or isinstance(
            exc, (OSError, ValueError)
        ):
            reason = describe(exc, network)
            hint = f"; {instead}" if is_network_failure(exc) else ""
            raise FetchError(f"cannot fetch from {service} ({url}): {reason}{hint}") from None
        raise
