"""What an eMSP pushed to our counterpart CPO's Tokens Receiver (§12.2.1): each push a valid
Token (a PATCH a valid TokenPatch with its last_updated, §12.2.1.3), and push and pull agreeing:
each pushed Token, rebuilt as a Receiver holds it after the pushes (the PUT, then every PATCH
applied), equals on the fields pushed what the eMSP's Tokens Sender serves (§4.1.3, TRANS-043).

The judge sees Token pushes only when the eMSP makes them to our CPO, which it learnt of when the
judge registered (the counterpart's versions URL in our Credentials). With the act hook
(`--act-command`, README "The act hook") the judge asks the target to `push_token`: create one
of its Tokens, then change it (a PATCH), and waits a bounded time for both pushes to arrive.
Without the hook only what the target pushed on its own is judged, and with nothing pushed the
tests skip, naming the option. A hook that says done while nothing arrives in time blocks the
rules (pushes may be slower than our bound), never fails them.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import Any, NoReturn
from urllib.parse import parse_qs, unquote, urlsplit

import pytest

from conformance.checks.callbacks import request_json
from conformance.checks.compare import instant
from conformance.checks.pushes import (
    Address,
    Push,
    check_push,
    converge_problems,
    last_push,
    replay,
)
from conformance.session import ActUnsupported, Judge
from conformance.suites.charging import path_of
from conformance.suites.conftest import counterpart_cpo, interface, registered
from conformance.suites.pagination import read
from conformance.suites.senders import token_key
from conformance.suites.waiting import READ_POLL_SECONDS, wait_until
from conformance.verdicts import Blocked

pytestmark = pytest.mark.phase("pushes")

MODULE = "tokens"
NO_HOOK = "pass --act-command so the judge can ask the target"
#: How long the judge waits for push_token's pushes, and for push and pull to agree (each
#: bounded by --max-wait too).
PUSH_WAIT_SECONDS = 10.0
CONVERGE_SECONDS = 10.0


@dataclass
class Acted:
    """What push_token did: why the target was not made to push (None: the hook said done),
    the Token it named (None: not named), the exchange id after which its pushes came, and how
    long the judge waited for them."""

    why_not: str | None = NO_HOOK
    token: Address | None = None
    after: int = 0
    bound: float = 0.0


def token_pushes(judge: Judge) -> list[Push]:
    """Every Token the target pushed to our CPO so far (PUT, PATCH, anything else under the
    Receiver's URL), in order of arrival."""
    base = path_of(judge.counterpart.module_url(MODULE))  # our CPO's Tokens Receiver
    found = []
    for exchange in judge.counterpart.inbound():
        path = path_of(exchange.url)
        if exchange.method not in ("PUT", "PATCH", "POST", "DELETE") or not (
            path == base or path.startswith(base + "/")
        ):
            continue
        rest = path[len(base) :].strip("/")
        segments = tuple(unquote(s) for s in rest.split("/")) if rest else ()
        types = parse_qs(urlsplit(exchange.url).query).get("type")
        body = request_json(exchange)
        found.append(Push(MODULE, exchange.method, segments, body, exchange,
                          types[0] if types else None))  # fmt: skip
    return found


def standing(judge: Judge, pushes: list[Push]) -> list[Push]:
    """The pushes made with the token B of our standing registration: what the Receiver that
    registration stands for holds (pushes to an older registration of ours are another
    Receiver's). All pushes when none carries it (a token we cannot tell apart). The token is
    told by the label the counterpart read before redaction, whatever form it was sent in."""
    registration = judge.registration
    label = judge.recorder.labels.get(registration.token_b) if registration else None
    if not label:
        return pushes
    mine = [p for p in pushes if p.exchange is not None
            and judge.counterpart.judged(p.exchange)[1] == label]  # fmt: skip
    return mine or pushes


def _changed(pushes: list[Push], token: Address | None) -> bool:
    """Whether a Token was pushed and then its change (a PATCH, or a second push)."""
    counts: dict[Address, int] = {}
    for push in pushes:
        address = push.address
        if address is None or (token is not None and address != token):
            continue
        counts[address] = counts.get(address, 0) + 1
        if push.method == "PATCH" or counts[address] >= 2:
            return True
    return False


@pytest.fixture(scope="module")
def acted(judge: Judge) -> Acted:
    """Ask the target, through the act hook, to push a Token and its change to our CPO (once
    per run); wait until both arrived or the bound passed."""
    done = Acted()
    if judge.config.role != "emsp" or not judge.config.act_command or judge.registration is None:
        return done
    cpo = counterpart_cpo(judge)
    done.after = max((e.id for e in judge.counterpart.inbound()), default=0)
    try:
        chosen = judge.act("push_token", {"cpo": cpo}) or {}
    except ActUnsupported as exc:
        done.why_not = str(exc)
        return done
    done.why_not = None
    if all(isinstance(chosen.get(k), str) for k in ("country_code", "party_id", "uid")):
        done.token = (MODULE, *(str(chosen[k]).upper() for k in ("country_code", "party_id",
                                                                  "uid")),
                      str(chosen.get("type") or "RFID").upper())  # fmt: skip
    done.bound = min(PUSH_WAIT_SECONDS, judge.config.max_wait)
    wait_until(lambda: _changed(_since(judge, done), done.token), done.bound, judge)
    return done


def _since(judge: Judge, acted: Acted) -> list[Push]:
    """The pushes of our standing registration that came after push_token was asked."""
    pushes = standing(judge, token_pushes(judge))
    return [p for p in pushes if p.exchange is not None and p.exchange.id > acted.after]


def _applies(judge: Judge) -> None:
    if judge.config.role != "emsp":
        pytest.skip("an eMSP's Token pushes: the target is a CPO")


def _nothing_pushed(acted: Acted) -> NoReturn:
    """No Token push at all: a skip without the hook, blocked when the hook said done."""
    if acted.why_not is not None:
        pytest.skip(f"the target pushed no Token to our counterpart: {acted.why_not}")
    raise Blocked(f"push_token said done, but no Token push reached our CPO within "
                  f"{acted.bound:g} s")  # fmt: skip


@pytest.mark.rule("TOK-015", "TOK-002")
def test_token_pushes_conform(judge: Judge, acted: Acted) -> None:
    """Every push a valid Token, a PATCH a valid TokenPatch; TOK-002: every PATCH carries
    last_updated (§12.2.1.3)."""
    _applies(judge)
    registered(judge)
    pushes = token_pushes(judge)
    if not pushes:
        _nothing_pushed(acted)
    for push in pushes:
        check_push(judge.ledger, push)
    if any(p.method == "PATCH" for p in pushes):
        return
    if acted.why_not is not None:
        judge.ledger.skipped("TOK-002", f"the target PATCHed no Token: {acted.why_not}")
    elif _changed(_since(judge, acted), acted.token):
        judge.ledger.skipped("TOK-002", "the target pushed push_token's change as a PUT")
    else:
        judge.ledger.blocked(
            "TOK-002",
            f"push_token said done, but its change was not pushed within {acted.bound:g} s",
            pushes[-1].exchange,
        )


def _date_from(pushes: list[Push]) -> dict[str, str | int]:
    """A date_from just before the earliest pushed last_updated: the list holds them all."""
    stamps = [t for p in pushes if isinstance(p.body, dict)
              and (t := instant(p.body.get("last_updated"))) is not None]  # fmt: skip
    if not stamps:
        return {}
    return {"date_from": (min(stamps) - timedelta(seconds=1)).strftime("%Y-%m-%dT%H:%M:%SZ")}


def _rebuilt(judge: Judge, pushes: list[Push]) -> dict[Address, dict[str, Any] | None]:
    """Each pushed Token as our Receiver holds it after the pushes. Lenient reading: a Token
    a PATCH without last_updated reached (TOK-002's finding) is compared without it."""
    state = replay(pushes)
    for push in pushes:
        rebuilt = state.get(push.address) if push.address else None
        if push.method == "PATCH" and isinstance(push.body, dict) and rebuilt is not None \
                and "last_updated" not in push.body:  # fmt: skip
            rebuilt.pop("last_updated", None)
            judge.ledger.reading(
                "TOK-002",
                "a Token PATCH without last_updated: the Token rebuilt from the pushes is "
                "compared with the served one without last_updated (TRANS-043)",
                push.exchange,
            )
    return state


@pytest.mark.rule("TRANS-043")
def test_token_pushes_converge_with_pull(judge: Judge, acted: Acted) -> None:
    """Each pushed Token, rebuilt from its pushes, equals the one the Tokens Sender serves on
    the fields pushed; re-read until they agree or CONVERGE_SECONDS have passed."""
    _applies(judge)
    url, token = interface(judge, MODULE, "SENDER", "emsp")
    if not token_pushes(judge):
        _nothing_pushed(acted)
    waiting: set[Address] = set()  # push_token's Token, when its change never came
    if acted.why_not is None and not _changed(_since(judge, acted), acted.token):
        pushed = {p.address for p in _since(judge, acted) if p.address is not None}
        waiting = {acted.token} if acted.token else pushed
        for address in sorted(waiting & {p.address for p in token_pushes(judge)}):
            judge.ledger.blocked(
                "TRANS-043",
                f"push_token's change of Token {'/'.join(address[1:])} was not pushed within "
                f"{acted.bound:g} s: a state still in flight cannot be compared",
                last_push(token_pushes(judge), address),
            )

    def compared() -> tuple[list[Push], dict[Address, list[str]]]:
        """The pushes so far, and per Token rebuilt from them what differs from the served one
        (the list read again without pagination verdicts: those are the Tokens suite's)."""
        pushes = standing(judge, token_pushes(judge))
        state = {a: o for a, o in _rebuilt(judge, pushes).items()
                 if o is not None and a not in waiting}  # fmt: skip
        if not state:
            return pushes, {}
        listed = read(judge, url, MODULE, token, _date_from(pushes))
        served = {token_key(o): o for o in listed.objects if isinstance(o, dict)}
        return pushes, {
            a: converge_problems(o, served.get("/".join(a[1:]))) for a, o in state.items()
        }

    pushes, found = wait_until(compared, CONVERGE_SECONDS, judge, poll=READ_POLL_SECONDS,
                               done=lambda seen: not any(seen[1].values()))  # fmt: skip
    if not found:
        if waiting:
            return  # blocked above
        raise Blocked("no pushed Token to compare with what the eMSP serves")
    for address, problems in found.items():
        judge.ledger.check(
            "TRANS-043",
            not problems,
            expected=f"Token {'/'.join(address[1:])} as the Tokens Sender serves it equal to "
            "the Token rebuilt from its pushes, on the fields pushed",
            actual="; ".join(problems[:5]),
            exchange=last_push(pushes, address),
        )
