"""Fault cases beside the real LRS: an in-process fake server (httpx.MockTransport) that
times out, answers 500, 429 with Retry-After, or refuses with 400; and the credentials
rules."""

from __future__ import annotations

import json
import re
from pathlib import Path

import httpx
import pytest

from tests.export.conftest import Populated
from tests.lrs.test_sync import catch_up_all
from vpkp_tutor.lrs.client import LrsClient, LrsRejected, LrsUnavailable
from vpkp_tutor.lrs.credentials import Credentials, CredentialsError, load_credentials
from vpkp_tutor.services.sync import send
from vpkp_tutor.storage.outbox import Outbox

CREDS = Credentials("k", "very-secret")


class Fake:
    """Answers each request with the next of `script` (a status, or an exception type);
    then 200 with the ids."""

    def __init__(self, *script: int | type[Exception] | tuple[int, dict[str, str]]) -> None:
        self.script = list(script)
        self.requests: list[httpx.Request] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        step = self.script.pop(0) if self.script else 200
        if isinstance(step, type):
            raise step("fault", request=request)  # type: ignore[call-arg]
        status, headers = step if isinstance(step, tuple) else (step, {})
        if status == 200:
            ids = [st["id"] for st in json.loads(request.content)]
            return httpx.Response(200, json=ids)
        return httpx.Response(status, json={"detail": f"fake says {status}"}, headers=headers)


def client(fake: Fake, sleeps: list[float], tries: int = 4) -> LrsClient:
    return LrsClient("http://127.0.0.1:1/xAPI/", CREDS, tries=tries, backoff=0.5,
                     sleep=sleeps.append, transport=httpx.MockTransport(fake))


@pytest.mark.parametrize(("script", "waits"), [
    ((httpx.ConnectTimeout, httpx.ReadTimeout), [0.5, 1.0]),
    ((500, 502, 503), [0.5, 1.0, 2.0]),
    (((429, {"Retry-After": "7"}),), [7.0]),
    ((httpx.ConnectError, (503, {"Retry-After": "0"})), [0.5, 0.0]),
])
def test_faults_are_retried_with_back_off(script: tuple[object, ...], waits: list[float]) -> None:
    fake, sleeps = Fake(*script), []  # type: ignore[arg-type]
    with client(fake, sleeps) as c:
        assert c.post(['{"id": "6f1d7c52-3c7e-5b8e-9a59-4c1b8d0e2f10"}']) == [
            "6f1d7c52-3c7e-5b8e-9a59-4c1b8d0e2f10"]
    assert sleeps == waits and len(fake.requests) == len(waits) + 1
    sent = fake.requests[-1]
    assert sent.headers["X-Experience-API-Version"] == "1.0.3"
    assert sent.headers["Content-Type"] == "application/json"
    assert isinstance(json.loads(sent.content), list)


def test_a_4xx_stops_at_once_with_the_lrs_message_and_the_batch_stays(
        populated: Populated) -> None:
    svc = populated.services
    box = Outbox(svc.store)  # type: ignore[arg-type]
    catch_up_all(svc)
    total = box.waiting()
    fake, sleeps = Fake(200, 400), []
    with client(fake, sleeps) as c, pytest.raises(LrsRejected, match=r"400.*fake says 400"):
        send(box, c, [populated.learner_id], 5, svc.clock)
    assert sleeps == [] and box.waiting() == total - 5
    assert box.claim([populated.learner_id], 100)[0].seq  # still queued, in order


def test_an_lrs_that_keeps_failing_leaves_the_outbox_whole(populated: Populated) -> None:
    svc = populated.services
    box = Outbox(svc.store)  # type: ignore[arg-type]
    catch_up_all(svc)
    total = box.waiting()
    fake, sleeps = Fake(*([500] * 10)), []
    with client(fake, sleeps, tries=3) as c, \
            pytest.raises(LrsUnavailable, match="500: fake says 500; gave up after 3 tries"):
        send(box, c, [populated.learner_id], 50, svc.clock)
    assert box.waiting() == total and sleeps == [0.5, 1.0]


def test_the_secret_never_shows(populated: Populated) -> None:
    assert "very-secret" not in repr(CREDS)
    fake, sleeps = Fake(*([httpx.ConnectError] * 5)), []
    with client(fake, sleeps, tries=2) as c, pytest.raises(LrsUnavailable) as caught:
        c.post(["{}"])
    assert "very-secret" not in str(caught.value)


def write(path: Path, text: str, mode: int) -> str:
    path.write_text(text)
    path.chmod(mode)
    return str(path)


@pytest.mark.parametrize(("text", "mode", "message"), [
    ("k:s\n", 0o644, "others may read this credentials file (mode 0644); make it yours alone"),
    ("k:s\n", 0o640, "chmod 600"),
    ("just-a-key\n", 0o600, "write the key and secret as key:secret"),
    (":s\n", 0o600, "the key or the secret is empty"),
])
def test_a_credentials_file_must_be_private_and_well_formed(
        tmp_path: Path, text: str, mode: int, message: str) -> None:
    with pytest.raises(CredentialsError, match=re.escape(message)):
        load_credentials(write(tmp_path / "lrs.key", text, mode), environ={})


def test_credentials_from_the_environment_come_first(tmp_path: Path) -> None:
    f = write(tmp_path / "lrs.key", "file-key:file-secret\n", 0o600)
    assert load_credentials(f, environ={}) == ("file-key", "file-secret")
    env = {"VPKP_TUTOR_LRS_KEY": "ek", "VPKP_TUTOR_LRS_SECRET": "es"}
    assert load_credentials(f, environ=env) == ("ek", "es")
    with pytest.raises(CredentialsError, match="VPKP_TUTOR_LRS_SECRET is not set"):
        load_credentials(f, environ={"VPKP_TUTOR_LRS_KEY": "ek"})
    with pytest.raises(CredentialsError, match="cannot read"):
        load_credentials(str(tmp_path / "missing"), environ={})


