"""`vpkp-tutor sync` against a real Ralph LRS (file backend) on a loopback port: the whole
history arrives, a second sync sends nothing, an edited question voids and replaces without
a 409, a server stopped mid-sync loses nothing and a lost answer is harmless."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.export.conftest import Populated, populate
from tests.lrs.ralph import KEY, SECRET, Ralph
from tests.services.tinybank import q, tiny_bank
from vpkp_tutor.cli import main
from vpkp_tutor.domain.model import ContentBank
from vpkp_tutor.export.xapi_check import problems
from vpkp_tutor.lrs.client import LrsClient, LrsUnavailable
from vpkp_tutor.lrs.credentials import Credentials
from vpkp_tutor.services import Services
from vpkp_tutor.services.settings import AppSettings
from vpkp_tutor.services.sync import catch_up, send
from vpkp_tutor.storage import open_store
from vpkp_tutor.storage.outbox import Outbox

BASE = "https://lms.example.org/xapi/vpkp/"
HOME = "https://lms.example.org"
VOIDED = "http://adlnet.gov/expapi/verbs/voided"


def configure(data: Path, endpoint: str, batch: int = 50) -> None:
    for key, value in (("lrs_endpoint", endpoint), ("xapi_base", BASE),
                       ("xapi_home_page", HOME), ("lrs_batch_size", str(batch))):
        assert main(["--data-dir", str(data), "config", key, value]) == 0


@pytest.fixture
def creds(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("VPKP_TUTOR_LRS_KEY", KEY)
    monkeypatch.setenv("VPKP_TUTOR_LRS_SECRET", SECRET)


def settings(batch: int = 50) -> AppSettings:
    return AppSettings(xapi_base=BASE, xapi_home_page=HOME, lrs_batch_size=batch)


def ledger(svc: Services) -> dict[str, str]:
    """Record key → the id of the statement last queued for it."""
    return {r[0]: r[1] for r in svc.store.query(
        "SELECT record_key, statement_id FROM xapi_statement WHERE voided = 0")}


def catch_up_all(svc: Services, bank: ContentBank | None = None,
                 s: AppSettings | None = None) -> int:
    return catch_up(Outbox(svc.store), bank or svc.content, s or settings(),  # type: ignore[arg-type]
                    svc.learner_data(svc.store.list_learners()[0].id), svc.clock())


def client_for(ralph: Ralph, **kw: Any) -> LrsClient:
    return LrsClient(ralph.endpoint, Credentials(KEY, SECRET), **kw)


def test_whole_history_syncs_in_one_batch_to_ralph_as_installed_then_nothing_more(
        tmp_path: Path, creds: None, capsys: pytest.CaptureFixture[str]) -> None:
    """Ralph exactly as installed (its file backend takes the first write of its life):
    the whole history in one POST; the second sync sends nothing at all."""
    p = populate(tmp_path / "data", name="Ana")
    p.services.store.close()
    ralph = Ralph(tmp_path / "ralph", appending=False).start()
    try:
        data = tmp_path / "data"
        configure(data, ralph.endpoint, batch=1000)
        capsys.readouterr()
        assert main(["--data-dir", str(data), "sync", "--learner", "Ana"]) == 0
        out = capsys.readouterr().out
        assert "in 1 request" in out and "0 waiting · last sent" in out
        held = ralph.statements()
        assert main(["--data-dir", str(data), "sync", "--learner", "Ana"]) == 0
        out = capsys.readouterr().out
        assert out.startswith("sent 0 statements in 0 requests")
        assert ralph.stored_lines() == len(held)
    finally:
        ralph.stop()
    svc = Services(tiny_bank(), open_store(data, daily_backups=False))
    try:
        expected = set(ledger(svc).values())
    finally:
        svc.store.close()
    assert {st["id"] for st in held} == expected and len(held) == len(expected)
    verbs = sorted(st["verb"]["id"].rsplit("/", 1)[1] for st in held)
    # 6 exam answers and a lesson check; the exam completed + failed; two case runs
    # completed + failed/passed; one lesson completed
    assert len(held) == 14
    assert verbs.count("answered") == 7 and verbs.count("completed") == 4
    for st in held:
        mine = {k: v for k, v in st.items() if k not in ("stored", "authority", "version")}
        assert problems(mine) == []
        assert st["actor"]["account"]["homePage"] == HOME
        assert st["object"]["id"].startswith(BASE)


def test_second_sync_sends_nothing_and_edited_question_voids_and_replaces(
        populated: Populated, ralph: Ralph) -> None:
    svc = populated.services
    outbox = Outbox(svc.store)  # type: ignore[arg-type]
    lid = populated.learner_id
    catch_up_all(svc)
    with client_for(ralph) as client:
        sent, _ = send(outbox, client, [lid], 5, svc.clock)
    assert sent == ralph.stored_lines() == len(ledger(svc)) and sent > 0
    before = ledger(svc)

    assert catch_up_all(svc) == 0  # nothing changed: nothing queued, nothing sent
    with client_for(ralph) as client:
        assert send(outbox, client, [lid], 5, svc.clock) == (0, 0)

    # the author rewords anat.sb1 (answered in the exam and in a lesson check)
    edited = tiny_bank()
    edited = ContentBank(
        questions=tuple(q("anat.sb1", stem="Reworded stem for the pedicle question")
                        if x.id == "anat.sb1" else x for x in edited.questions),
        lessons=edited.lessons, cases=edited.cases, fingerprint="fp-2", course=edited.course)
    assert catch_up_all(svc, edited) == 2
    assert outbox.waiting() == 2 + 2  # the two new statements and two voiding ones
    after = ledger(svc)
    changed = {k for k in after if after[k] != before[k]}
    assert len(changed) == 2 and all(k.startswith("answer:") for k in changed)
    with client_for(ralph) as client:  # no 409: the new statements have new ids
        assert send(outbox, client, [lid], 5, svc.clock)[0] == 4
    held = {st["id"]: st for st in ralph.statements()}
    voided = {st["object"]["id"] for st in held.values() if st["verb"]["id"] == VOIDED}
    assert voided == {before[k] for k in changed}
    for k in changed:
        new = held[after[k]]
        assert new["object"]["definition"]["description"]["en-US"].startswith("Reworded")
    assert outbox.waiting() == 0


def test_server_stopped_mid_sync_loses_nothing_and_the_next_sync_completes(
        populated: Populated, ralph: Ralph) -> None:
    svc = populated.services
    outbox = Outbox(svc.store)  # type: ignore[arg-type]
    lid = populated.learner_id
    catch_up_all(svc)
    total = outbox.waiting()
    assert total >= 10

    def stop_after_two(done: int, whole: int) -> None:
        if done == 6:
            ralph.stop()  # the network goes away after two batches of 3

    with client_for(ralph, tries=3, sleep=lambda s: None) as client, \
            pytest.raises(LrsUnavailable, match="cannot reach the LRS"):
        send(outbox, client, [lid], 3, svc.clock, stop_after_two)
    assert outbox.waiting() == total - 6  # acknowledged ones left; the rest kept
    assert ralph.stored_lines() == 6

    ralph.start()  # same folder, same file, same port
    with client_for(ralph) as client:
        sent, _ = send(outbox, client, [lid], 3, svc.clock)
    assert sent == total - 6 and outbox.waiting() == 0
    ids = [st["id"] for st in ralph.statements()]
    assert len(ids) == len(set(ids)) == total == ralph.stored_lines()
    assert set(ids) == set(ledger(svc).values())


class LoseFirstAnswer(httpx.BaseTransport):
    """Forwards to the real server, but the answer to the first POST is lost (the LRS
    stored the batch; the client sees a read timeout)."""

    def __init__(self) -> None:
        self.inner = httpx.HTTPTransport()
        self.posts = 0

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        response = self.inner.handle_request(request)
        if request.method == "POST":
            self.posts += 1
            if self.posts == 1:
                response.read()
                response.close()
                raise httpx.ReadTimeout("answer lost", request=request)
        return response


def test_a_retry_after_a_lost_answer_is_harmless(populated: Populated, ralph: Ralph) -> None:
    svc = populated.services
    outbox = Outbox(svc.store)  # type: ignore[arg-type]
    catch_up_all(svc)
    total = outbox.waiting()
    transport = LoseFirstAnswer()
    with client_for(ralph, transport=transport, sleep=lambda s: None) as client:
        sent, batches = send(outbox, client, [populated.learner_id], 1000, svc.clock)
    assert (sent, batches, transport.posts) == (total, 1, 2)  # sent twice, stored once
    ids = [st["id"] for st in ralph.statements()]
    assert len(ids) == len(set(ids)) == total == ralph.stored_lines()


def account_of(data: Path, learner_id: str) -> str:
    """The xAPI account name stored for a learner."""
    store = open_store(data, daily_backups=False)
    try:
        return Outbox(store).account_name(learner_id)
    finally:
        store.close()


def test_sync_refuses_without_settings_or_credentials(
        tmp_path: Path, capsys: pytest.CaptureFixture[str],
        monkeypatch: pytest.MonkeyPatch) -> None:
    p = populate(tmp_path / "data", name="Ana")
    p.services.store.close()
    data = str(tmp_path / "data")
    monkeypatch.delenv("VPKP_TUTOR_LRS_KEY", raising=False)
    monkeypatch.delenv("VPKP_TUTOR_LRS_SECRET", raising=False)
    assert main(["--data-dir", data, "sync"]) == 2
    assert "--learner NAME|ID or --all" in capsys.readouterr().err
    assert main(["--data-dir", data, "sync", "--all"]) == 2
    assert "config lrs_endpoint URL" in capsys.readouterr().err
    configure(tmp_path / "data", "http://127.0.0.1:9/xAPI/")
    assert main(["--data-dir", data, "sync", "--all"]) == 2
    assert "VPKP_TUTOR_LRS_KEY" in capsys.readouterr().err
    secret = tmp_path / "lrs.key"
    secret.write_text(f"{KEY}:{SECRET}\n")
    secret.chmod(0o644)
    assert main(["--data-dir", data, "config", "lrs_credentials_file", str(secret)]) == 0
    err = capsys.readouterr().err  # stored, and said at once what sync will refuse
    assert f"chmod 600 {secret}" in err and "sync` refuses it until then" in err
    assert main(["--data-dir", data, "sync", "--all"]) == 2
    err = capsys.readouterr().err
    assert "chmod 600" in err and SECRET not in err
    # a sync that stops on its settings stores no account name either
    assert main(["--data-dir", data, "sync", "--learner", "Ana", "--account", "r-0042"]) == 2
    assert "chmod 600" in capsys.readouterr().err
    assert account_of(tmp_path / "data", p.learner_id) == ""
    waiting = main(["--data-dir", data, "sync", "--all", "--status"])
    assert waiting == 0 and "14 waiting · never sent" in capsys.readouterr().out
    # with --status (nothing is sent), the account name is all the command does
    assert main(["--data-dir", data, "sync", "--learner", "Ana", "--account", "r-0042",
                 "--status"]) == 0
    assert "xAPI account name of Ana: r-0042" in capsys.readouterr().out
    assert account_of(tmp_path / "data", p.learner_id) == "r-0042"


def test_a_refusal_stops_with_the_lrs_message_and_keeps_the_outbox(
        populated: Populated, ralph: Ralph, tmp_path: Path,
        capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    populated.services.store.close()
    data = tmp_path / "data"
    configure(data, ralph.endpoint)
    monkeypatch.setenv("VPKP_TUTOR_LRS_KEY", KEY)
    monkeypatch.setenv("VPKP_TUTOR_LRS_SECRET", "wrong-secret")
    capsys.readouterr()
    assert main(["--data-dir", str(data), "sync", "--all"]) == 1
    err = capsys.readouterr().err
    assert "refused the request (401): Invalid authentication credentials" in err
    assert "0 of 14 statements sent; 14 still waiting" in err
    assert "wrong-secret" not in err and ralph.stored_lines() == 0


def test_queued_statements_carry_no_secret(populated: Populated, ralph: Ralph,
                                          tmp_path: Path, creds: None) -> None:
    populated.services.store.close()
    data = tmp_path / "data"
    configure(data, ralph.endpoint)
    assert main(["--data-dir", str(data), "sync", "--all"]) == 0
    for path in data.rglob("*"):
        if path.is_file():
            assert SECRET.encode() not in path.read_bytes(), path
    assert json.dumps(ralph.statements()).count(SECRET) == 0
