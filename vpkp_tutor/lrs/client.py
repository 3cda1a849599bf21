"""An xAPI 1.0.3 client for a Learning Record Store (basic auth, httpx).

`post(texts)` sends statements (already JSON text) as one JSON array. A network error, a
timeout, a 5xx or a 429 is retried with exponential back-off (a 429's or 503's
`Retry-After` is honoured); after the last try `LrsUnavailable` is raised. Any other 4xx
raises `LrsRejected` with the LRS's own message: it is not retried, since sending the same
batch again would be refused again. `statements(params)` reads statements page by page,
following `more`.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Iterator, Mapping
from typing import TYPE_CHECKING, Any
from urllib.parse import urljoin, urlsplit

from vpkp_tutor.lrs.credentials import Credentials

if TYPE_CHECKING:
    import httpx

XAPI_VERSION_HEADER = {"X-Experience-API-Version": "1.0.3"}
MAX_MESSAGE = 300


class LrsError(RuntimeError):
    """The LRS could not be used; the message says why (never with a secret)."""

    def __init__(self, message: str, status: int | None = None) -> None:
        super().__init__(message)
        self.status = status


class LrsRejected(LrsError):
    """The LRS refused the request (4xx other than 429)."""


class LrsUnavailable(LrsError):
    """The LRS could not be reached or kept failing (network, timeouts, 5xx, 429)."""


def _message(response: httpx.Response) -> str:
    try:
        body = response.json()
    except ValueError:
        text = response.text.strip()
    else:
        detail = body.get("detail", body.get("message", body)) if isinstance(body, dict) \
            else body
        text = detail if isinstance(detail, str) else json.dumps(detail, ensure_ascii=False)
    text = " ".join(text.split())
    return text[:MAX_MESSAGE] + ("…" if len(text) > MAX_MESSAGE else "")


def _retry_after(response: httpx.Response) -> float | None:
    value = response.headers.get("Retry-After", "")
    try:
        return max(0.0, float(value))
    except ValueError:
        return None


class LrsClient:
    """A client of one LRS endpoint (its xAPI base, e.g. `http://127.0.0.1:8100/xAPI/`)."""

    def __init__(self, endpoint: str, credentials: Credentials, *, timeout: float = 30.0,
                 tries: int = 6, backoff: float = 0.5, max_delay: float = 30.0,
                 sleep: Callable[[float], object] = time.sleep,
                 transport: httpx.BaseTransport | None = None) -> None:
        import httpx

        self.endpoint = endpoint if endpoint.endswith("/") else endpoint + "/"
        self.statements_url = urljoin(self.endpoint, "statements")
        self.tries = max(1, tries)
        self.backoff = backoff
        self.max_delay = max_delay
        self.sleep = sleep
        self.retries = 0
        """Tries repeated so far (for the summary)."""
        self._http = httpx.Client(auth=(credentials.key, credentials.secret),
                                  timeout=timeout, headers=XAPI_VERSION_HEADER,
                                  transport=transport)

    def close(self) -> None:
        self._http.close()

    def __enter__(self) -> LrsClient:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @property
    def where(self) -> str:
        parts = urlsplit(self.endpoint)
        return f"{parts.scheme}://{parts.netloc}"

    def _request(self, method: str, url: str, **kwargs: Any) -> httpx.Response:
        import httpx

        last = ""
        for attempt in range(self.tries):
            delay = min(self.max_delay, self.backoff * 2 ** attempt)
            try:
                response = self._http.request(method, url, **kwargs)
            except httpx.TimeoutException:
                last = f"the LRS at {self.where} did not answer in time"
            except httpx.TransportError as exc:
                last = f"cannot reach the LRS at {self.where} ({type(exc).__name__})"
            else:
                code = response.status_code
                if code < 400:
                    return response
                if code == 429 or code >= 500:
                    last = f"the LRS answered {code}: {_message(response)}"
                    wait = _retry_after(response)
                    if wait is not None:
                        delay = min(self.max_delay, wait)
                else:
                    raise LrsRejected(f"the LRS refused the request ({code}): "
                                      f"{_message(response)}", code)
            if attempt + 1 < self.tries:
                self.retries += 1
                self.sleep(delay)
        raise LrsUnavailable(f"{last}; gave up after {self.tries} tries")

    def post(self, texts: list[str]) -> list[str]:
        """Send statements (each a JSON text) as one JSON array; the ids the LRS stored
        (empty when it had them all already: 204)."""
        body = ("[" + ",".join(texts) + "]").encode("utf-8")
        response = self._request("POST", self.statements_url, content=body,
                                 headers={"Content-Type": "application/json"})
        if response.status_code == 204 or not response.content:
            return []
        try:
            ids = response.json()
        except ValueError:
            return []
        return [str(i) for i in ids] if isinstance(ids, list) else []

    def statements(self, params: Mapping[str, str]) -> Iterator[dict[str, Any]]:
        """Every statement matching the query, following `more` from page to page."""
        url: str | None = self.statements_url
        query: Mapping[str, str] | None = params
        seen: set[str] = set()
        while url:
            response = self._request("GET", url, params=query)
            try:
                page = response.json()
            except ValueError:
                raise LrsError("the LRS answered a statements query with something "
                               "that is not JSON") from None
            if not isinstance(page, dict) or not isinstance(page.get("statements"), list):
                raise LrsError("the LRS answered a statements query without a statement list")
            fresh = 0
            for st in page["statements"]:
                sid = str(st.get("id", "")) if isinstance(st, dict) else ""
                if sid and sid in seen:
                    continue
                seen.add(sid)
                fresh += 1
                yield st
            more = page.get("more") or ""
            if not more or not fresh:
                break
            url, query = urljoin(self.endpoint, more), None
