"""Shared HTTP machinery for the remote sources: one rate limiter, retries, clear errors.

NCBI asks for at most 3 requests/s without an API key and 10 with one (E-utilities usage
guidelines, https://www.ncbi.nlm.nih.gov/books/NBK25497/); ClinicalTrials.gov asks clients to
stay near that pace too, so both clients share one limiter per process. Retries use capped
exponential backoff with full jitter (Brooker, "Exponential Backoff and Jitter", AWS
Architecture Blog, 2015) on 429, 5xx, timeouts and error messages inside a 200 body, and honour
``Retry-After``. Messages name the service and path only: query strings may carry ``api_key``
and ``email`` and are never logged or shown.
"""

from __future__ import annotations

import logging
import os
import random
import threading
import time
from collections.abc import Callable, Mapping
from typing import Any

import httpx
from pydantic import BaseModel, Field

from jakatlas.errors import NetworkError

__all__ = ["RateLimiter", "RetryPolicy", "ApiClient", "shared_limiter", "UnreachableError"]

log = logging.getLogger(__name__)

Sleep = Callable[[float], None]
BodyCheck = Callable[[httpx.Response], str | None]


class RateLimiter:
    """At most ``rate`` acquisitions per second across threads (evenly spaced slots)."""

    def __init__(self, rate: float, *, clock: Callable[[], float] = time.monotonic,
                 sleep: Sleep = time.sleep) -> None:
        if rate <= 0:
            raise ValueError("rate must be positive")
        self.rate = rate
        self._interval = 1.0 / rate
        self._next = 0.0
        self._lock = threading.Lock()
        self._clock, self._sleep = clock, sleep

    def acquire(self) -> float:
        """Wait for the next free slot; returns the seconds waited."""
        with self._lock:
            now = self._clock()
            slot = max(now, self._next)
            self._next = slot + self._interval
        wait = slot - now
        if wait > 0:
            self._sleep(wait)
        return wait


_LIMITERS: dict[float, RateLimiter] = {}
_LIMITERS_LOCK = threading.Lock()


def shared_limiter(rate: float) -> RateLimiter:
    """The process-wide limiter for ``rate`` requests/s (3 without an NCBI key, 10 with one).

    ``$JAKATLAS_REQUESTS_PER_SECOND`` replaces the rate, for a local mirror or test server.
    """
    override = os.environ.get("JAKATLAS_REQUESTS_PER_SECOND")
    if override:
        try:
            rate = float(override)
        except ValueError:
            raise NetworkError(f"JAKATLAS_REQUESTS_PER_SECOND={override!r} is not a number.",
                               hint="Set it to a positive number such as 3, or unset it.") from None
        if rate <= 0:
            raise NetworkError(f"JAKATLAS_REQUESTS_PER_SECOND={override!r} must be positive.",
                               hint="Set it to a positive number such as 3, or unset it.")
    with _LIMITERS_LOCK:
        if rate not in _LIMITERS:
            _LIMITERS[rate] = RateLimiter(rate)
        return _LIMITERS[rate]


class RetryPolicy(BaseModel):
    """Capped exponential backoff with full jitter."""

    attempts: int = Field(6, ge=1, description="Tries in all, the first included.")
    base: float = Field(0.5, ge=0, description="Seconds before the first retry (before jitter).")
    cap: float = Field(30.0, ge=0, description="Longest wait between tries.")
    timeout: float = Field(60.0, gt=0, description="Seconds per request (connect, read, write).")

    def delay(self, attempt: int, rng: random.Random, retry_after: float | None = None) -> float:
        """Wait before try ``attempt + 1`` (``attempt`` counts from 1)."""
        ceiling = min(self.cap, self.base * 2 ** (attempt - 1))
        wait = rng.uniform(0, ceiling)
        if retry_after is not None:
            wait = max(wait, min(retry_after, self.cap))
        return wait


class UnreachableError(NetworkError):
    """The service cannot be reached at all (no network, DNS failure, connection refused)."""


def _retry_after(resp: httpx.Response) -> float | None:
    value = resp.headers.get("Retry-After")
    if value is None:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        return None


class ApiClient:
    """A small httpx client: base URL, shared limiter, retries, one-line :class:`NetworkError`.

    ``transport`` lets tests serve recorded responses through :class:`httpx.MockTransport`.
    """

    service = "remote service"
    env_var = ""

    def __init__(self, base_url: str, *, limiter: RateLimiter, retry: RetryPolicy | None = None,
                 transport: httpx.BaseTransport | None = None, sleep: Sleep = time.sleep,
                 seed: int | None = None, user_agent: str = "jakatlas",
                 secrets: tuple[str, ...] = ()) -> None:
        self._secrets = tuple(x for x in secrets if x)
        self.base_url = base_url.rstrip("/")
        self.limiter = limiter
        self.retry = retry or RetryPolicy()
        self._sleep = sleep
        self._rng = random.Random(seed)
        self.requests = 0
        self.retries = 0
        self._http = httpx.Client(transport=transport, timeout=self.retry.timeout,
                                  headers={"User-Agent": user_agent}, follow_redirects=True)

    def close(self) -> None:
        self._http.close()

    def __enter__(self) -> ApiClient:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _where(self, path: str) -> str:
        return f"{self.service} ({self.base_url}{path})"

    def _redact(self, text: str) -> str:
        for secret in self._secrets:
            text = text.replace(secret, "***")
        return text

    def _hint(self) -> str:
        extra = f" or set {self.env_var} to a reachable mirror" if self.env_var else ""
        return f"Check the network connection{extra}, then run the command again."

    def request(self, method: str, path: str, *, params: Mapping[str, Any] | None = None,
                data: Mapping[str, Any] | None = None, check: BodyCheck | None = None) -> httpx.Response:
        """Send one request with rate limiting and retries; return the successful response."""
        url = self.base_url + path
        last = ""
        for attempt in range(1, self.retry.attempts + 1):
            self.limiter.acquire()
            self.requests += 1
            retry_after: float | None = None
            try:
                resp = self._http.request(method, url, params=params, data=data)
            except httpx.ConnectError as exc:
                raise UnreachableError(
                    f"Cannot reach {self._where(path)}: {_reason(exc)}.", hint=self._hint()) from None
            except httpx.TimeoutException:
                last = f"timed out after {self.retry.timeout:g} s"
            except httpx.TransportError as exc:
                last = f"transport error ({_reason(exc)})"
            else:
                if resp.status_code == 429 or resp.status_code >= 500:
                    last = f"HTTP {resp.status_code}"
                    retry_after = _retry_after(resp)
                elif resp.status_code >= 400:
                    raise NetworkError(
                        f"{self._where(path)} refused the request: HTTP {resp.status_code} "
                        f"{self._redact(_snippet(resp))}.", hint="Check the query and the base URL.")
                else:
                    message = check(resp) if check else None
                    if message is None:
                        return resp
                    last = f"error in the response: {self._redact(message)}"
            if attempt < self.retry.attempts:
                self.retries += 1
                wait = self.retry.delay(attempt, self._rng, retry_after)
                log.info("%s: %s; retry %d in %.2f s", self._where(path), last, attempt, wait)
                self._sleep(wait)
        raise NetworkError(f"{self._where(path)} failed after {self.retry.attempts} tries: {last}.",
                           hint="The service may be down or rate-limiting; try again later.")


def _reason(exc: Exception) -> str:
    text = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
    return text[:160]


def _snippet(resp: httpx.Response) -> str:
    text = " ".join(resp.text.split())[:160]
    return f"({text})" if text else ""
