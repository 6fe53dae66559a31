"""Credentials (§7) end to end over real HTTP: the CPO as server and as client."""

from __future__ import annotations

import logging
from typing import Any

import httpx
import pytest

from simulator.platform import audit
from simulator.platform.audit import RequestContext
from simulator.platform.registration import RegistrationFailed
from tests.simulator.conftest import PartnerDouble, RunningCpo, auth, b64, free_port, is_envelope


async def post_credentials(
    client: httpx.AsyncClient, cpo: RunningCpo, token: str, body: Any
) -> httpx.Response:
    return await client.post(cpo.credentials_url, headers=auth(token), json=body)


async def register(
    client: httpx.AsyncClient, cpo: RunningCpo, partner: PartnerDouble, token_b: str
) -> tuple[str, str]:
    """Run a successful handshake; (token A, token C)."""
    minted = await cpo.mint()
    partner.accepted.add(token_b)
    response = await post_credentials(client, cpo, minted.token, partner.credentials(token_b))
    body = is_envelope(response)
    assert response.status_code == 200, body
    assert body["status_code"] == 1000, body
    return minted.token, body["data"]["token"]


async def test_server_side_handshake_update_and_unregister(
    cpo: RunningCpo, partner: PartnerDouble, client: httpx.AsyncClient
) -> None:
    token_b = "token-b-" + "x" * 20
    minted = await cpo.mint()
    partner.accepted.add(token_b)
    response = await post_credentials(client, cpo, minted.token, partner.credentials(token_b))
    body = is_envelope(response)
    assert (response.status_code, body["status_code"]) == (200, 1000), body
    data = body["data"]
    token_c = data["token"]
    assert token_c not in {minted.token, token_b}
    assert data["url"] == cpo.versions_url
    assert data["roles"][0]["role"] == "CPO"

    # The CPO discovered the client with Token base64(B), versions then details.
    fetched = [(r.method, r.path, r.authorization) for r in partner.requests]
    assert fetched == [
        ("GET", "/versions", f"Token {b64(token_b)}"),
        ("GET", "/2.2.1", f"Token {b64(token_b)}"),
    ]

    # TOKEN_A is spent.
    again = await post_credentials(client, cpo, minted.token, partner.credentials(token_b))
    assert again.status_code == 401
    assert is_envelope(again)["status_code"] == 2000
    versions_with_a = await client.get(cpo.versions_url, headers=auth(minted.token))
    assert versions_with_a.status_code == 401

    # Token C works: GET returns the current credentials, versions are open.
    current = await client.get(cpo.credentials_url, headers=auth(token_c))
    assert current.status_code == 200
    assert is_envelope(current)["data"]["token"] == token_c
    assert (await client.get(cpo.versions_url, headers=auth(token_c))).status_code == 200

    # POST from a registered client: 405.
    post_again = await post_credentials(client, cpo, token_c, partner.credentials(token_b))
    assert post_again.status_code == 405
    assert post_again.headers["allow"] == "GET, PUT, DELETE"  # RFC 9110 §15.5.6
    is_envelope(post_again)

    # PUT re-fetches the endpoints with the new token B2 and rotates C.
    token_b2 = "token-b2-" + "y" * 20
    partner.accepted.add(token_b2)
    partner.requests.clear()
    partner.extra_modules.append("tokens")
    put = await client.put(
        cpo.credentials_url, headers=auth(token_c), json=partner.credentials(token_b2)
    )
    put_body = is_envelope(put)
    assert (put.status_code, put_body["status_code"]) == (200, 1000), put_body
    token_c2 = put_body["data"]["token"]
    assert token_c2 != token_c
    assert [(r.path, r.authorization) for r in partner.requests] == [
        ("/versions", f"Token {b64(token_b2)}"),
        ("/2.2.1", f"Token {b64(token_b2)}"),
    ]
    old = await client.get(cpo.credentials_url, headers=auth(token_c))
    assert old.status_code == 401
    is_envelope(old)
    new = await client.get(cpo.credentials_url, headers=auth(token_c2))
    assert new.status_code == 200
    stored = (await cpo.call(cpo.platform.registration.partners()))[0]
    assert stored.outbound_token == token_b2
    assert {e["identifier"] for e in stored.endpoints} == {"credentials", "hubclientinfo", "tokens"}

    # DELETE unregisters: the token then gets 401.
    gone = await client.delete(cpo.credentials_url, headers=auth(token_c2))
    assert (gone.status_code, is_envelope(gone)["status_code"]) == (200, 1000)
    after = await client.get(cpo.credentials_url, headers=auth(token_c2))
    assert after.status_code == 401
    is_envelope(after)
    stored = (await cpo.call(cpo.platform.registration.partners()))[0]
    assert stored.status == "unregistered"


async def test_unregistered_client_put_delete_get_get_405(
    cpo: RunningCpo, partner: PartnerDouble, client: httpx.AsyncClient
) -> None:
    minted = await cpo.mint()
    partner.accepted.add("token-b")
    put = await client.put(
        cpo.credentials_url, headers=auth(minted.token), json=partner.credentials("token-b")
    )
    delete = await client.delete(cpo.credentials_url, headers=auth(minted.token))
    get = await client.get(cpo.credentials_url, headers=auth(minted.token))
    for response in (put, delete, get):
        assert response.status_code == 405, response.text
        assert response.headers["allow"] == "POST"  # TOKEN_A may only register (§7.2)
        assert is_envelope(response)["status_code"] == 2000
    assert partner.requests == []
    # None of these spent the token.
    ok = await post_credentials(client, cpo, minted.token, partner.credentials("token-b"))
    assert is_envelope(ok)["status_code"] == 1000


@pytest.mark.parametrize(
    ("failure", "expected"),
    [("unreachable", 3001), ("old_version", 3002), ("no_credentials", 3003),
     ("credentials_only", 3003), ("malformed_endpoints", 3001)],
)  # fmt: skip
async def test_handshake_failures_report_300x_and_release_token_a(
    cpo: RunningCpo,
    partner: PartnerDouble,
    client: httpx.AsyncClient,
    failure: str,
    expected: int,
) -> None:
    minted = await cpo.mint()
    partner.accepted.add("token-b")
    body = partner.credentials("token-b")
    if failure == "unreachable":
        body["url"] = f"http://127.0.0.1:{free_port()}/versions"
    elif failure == "old_version":
        partner.versions = ["2.1.1"]
    elif failure == "credentials_only":
        partner.extra_modules = []
    elif failure == "malformed_endpoints":  # once a 500 that burned TOKEN_A
        partner.odd_endpoints = [{"identifier": ["tokens"], "role": "RECEIVER", "url": "x"}]
    else:
        partner.publish_credentials = False
    response = await post_credentials(client, cpo, minted.token, body)
    envelope = is_envelope(response)
    assert envelope["status_code"] == expected, envelope
    assert "data" not in envelope
    assert await cpo.call(cpo.platform.registration.partners()) == []

    # The failed handshake released TOKEN_A: the client fixes its side and retries.
    partner.versions = ["2.2.1"]
    partner.publish_credentials = True
    partner.extra_modules = ["hubclientinfo"]
    partner.odd_endpoints = []
    retry = await post_credentials(client, cpo, minted.token, partner.credentials("token-b"))
    retry_body = is_envelope(retry)
    assert retry_body["status_code"] == 1000, retry_body
    events = await cpo.call(cpo.platform.audit.recent(event="registration.failed"))
    assert [e["reason"] for e in events] == [f"ocpi_{expected}"]


async def test_invalid_credentials_body_is_2001_and_keeps_token(
    cpo: RunningCpo, partner: PartnerDouble, client: httpx.AsyncClient
) -> None:
    minted = await cpo.mint()
    response = await post_credentials(client, cpo, minted.token, {"token": "x"})
    assert is_envelope(response)["status_code"] == 2001
    partner.accepted.add("token-b")
    ok = await post_credentials(client, cpo, minted.token, partner.credentials("token-b"))
    assert is_envelope(ok)["status_code"] == 1000


async def test_expected_party_mismatch_is_401_and_keeps_token(
    cpo: RunningCpo, partner: PartnerDouble, client: httpx.AsyncClient
) -> None:
    minted = await cpo.mint(expected_party=("NL", "ABC"))
    partner.accepted.add("token-b")
    response = await post_credentials(client, cpo, minted.token, partner.credentials("token-b"))
    assert response.status_code == 401
    is_envelope(response)
    body = partner.credentials("token-b")
    body["roles"][0].update(country_code="NL", party_id="ABC")
    ok = await post_credentials(client, cpo, minted.token, body)
    assert is_envelope(ok)["status_code"] == 1000


async def test_client_side_register_refresh_unregister(
    cpo: RunningCpo, partner: PartnerDouble, client: httpx.AsyncClient
) -> None:
    registration = cpo.platform.registration
    context = RequestContext()
    partner.accepted.add("partner-token-a")

    stored = await cpo.call(
        registration.register_with(partner.versions_url, "partner-token-a", context)
    )
    assert stored.status == "registered"
    assert stored.initiated_by == "us"
    assert stored.outbound_token == partner.issued[-1]
    header_a = f"Token {b64('partner-token-a')}"
    assert [(r.method, r.path, r.authorization) for r in partner.requests] == [
        ("GET", "/versions", header_a),
        ("GET", "/2.2.1", header_a),
        ("POST", "/2.2.1/credentials", header_a),
    ]
    posted = partner.calls("POST", "/2.2.1/credentials")[0].body
    assert posted["url"] == cpo.versions_url
    assert posted["roles"][0]["role"] == "CPO"
    # The partner fetched our versions with token B during the POST (§7.1.1), and can call us.
    assert partner.callback_statuses == [200]
    token_b = partner.received_tokens[-1]
    assert (await client.get(cpo.credentials_url, headers=auth(token_b))).status_code == 200

    # refresh: PUT with the partner's token, new B both ways; the old B stops working.
    partner.requests.clear()
    token_c = partner.issued[-1]
    refreshed = await cpo.call(registration.refresh(stored.id, context))
    assert refreshed.outbound_token == partner.issued[-1] != token_c
    put = partner.calls("PUT", "/2.2.1/credentials")
    assert [r.authorization for r in put] == [f"Token {b64(token_c)}"]
    token_b2 = partner.received_tokens[-1]
    assert token_b2 != token_b
    assert (await client.get(cpo.credentials_url, headers=auth(token_b))).status_code == 401
    assert (await client.get(cpo.credentials_url, headers=auth(token_b2))).status_code == 200

    # unregister_from: DELETE with the partner's current token; our inbound token dies.
    partner.requests.clear()
    await cpo.call(registration.unregister_from(stored.id, context))
    deletes = partner.calls("DELETE", "/2.2.1/credentials")
    assert [r.authorization for r in deletes] == [f"Token {b64(partner.issued[-1])}"]
    assert (await client.get(cpo.credentials_url, headers=auth(token_b2))).status_code == 401
    after = await cpo.call(registration.partner(stored.id))
    assert after is not None
    assert after.status == "unregistered"
    with pytest.raises(RegistrationFailed):
        await cpo.call(registration.refresh(stored.id, context))


async def test_a_partner_insisting_on_optional_fields_gets_them_as_null(
    cpo: RunningCpo, partner: PartnerDouble
) -> None:
    """CRED-019 as the client: refused for lacking website and logo (`?`, §2.8), our Credentials
    go once more with both present as null, and the audit trail says the partner required them."""
    registration = cpo.platform.registration
    partner.accepted.add("partner-token-a")
    partner.requires = ("website", "logo")

    stored = await cpo.call(
        registration.register_with(partner.versions_url, "partner-token-a", RequestContext())
    )
    assert stored.status == "registered"
    first, second = (call.body for call in partner.calls("POST", "/2.2.1/credentials"))
    assert "logo" not in first["roles"][0]["business_details"]
    assert second["roles"][0]["business_details"] | {"name": "x"} == {
        "name": "x",
        "website": None,
        "logo": None,
    }
    (event,) = await cpo.call(cpo.platform.audit.recent(event=audit.CREDENTIALS_RETRIED))
    assert event["partner_id"] == stored.id
    assert event["detail"]["rule"] == "CRED-019"
    assert "HTTP 422" in event["detail"]["refused"]


async def test_token_b_of_an_unfinished_handshake_reads_versions_only(
    cpo: RunningCpo, client: httpx.AsyncClient
) -> None:
    """§7.1.1: while our POST is under way the partner reads our versions with token B; a
    functional module with it is refused until the handshake has ended."""
    registration = cpo.platform.registration
    partner_id, token_b = await cpo.call(registration.expect("http://partner.test/versions"))
    versions = await client.get(cpo.versions_url, headers=auth(token_b))
    assert versions.status_code == 200
    locations = await client.get(f"{cpo.url}/ocpi/cpo/2.2.1/locations", headers=auth(token_b))
    assert locations.status_code == 401
    assert is_envelope(locations)["status_code"] == 2000
    (event,) = await cpo.call(cpo.platform.audit.recent(event=audit.TOKEN_REJECTED))
    assert (event["reason"], event["partner_id"]) == ("pending", partner_id)


async def test_unregistering_forgets_the_partners_token(
    cpo: RunningCpo, partner: PartnerDouble
) -> None:
    """§7.2.4: after DELETE neither party uses the other's token again; ours is not kept."""
    registration = cpo.platform.registration
    partner.accepted.add("partner-token-a")
    stored = await cpo.call(
        registration.register_with(partner.versions_url, "partner-token-a", RequestContext())
    )
    assert stored.outbound_token is not None
    await cpo.call(registration.unregister_from(stored.id, RequestContext()))
    after = await cpo.call(registration.partner(stored.id))
    assert after is not None
    assert (after.status, after.outbound_token) == ("unregistered", None)


@pytest.mark.parametrize("failure", ["unreachable", "old_version", "no_credentials", "refused"])
async def test_client_side_register_failures(
    cpo: RunningCpo, partner: PartnerDouble, failure: str
) -> None:
    registration = cpo.platform.registration
    url = partner.versions_url
    partner.accepted.add("partner-token-a")
    if failure == "unreachable":
        url = f"http://127.0.0.1:{free_port()}/versions"
    elif failure == "old_version":
        partner.versions = ["2.1.1"]
    elif failure == "no_credentials":
        partner.publish_credentials = False
    token = "wrong-token" if failure == "refused" else "partner-token-a"
    with pytest.raises(RegistrationFailed):
        await cpo.call(registration.register_with(url, token, RequestContext()))
    assert await cpo.call(registration.partners()) == []


async def test_no_secret_in_logs(
    cpo: RunningCpo,
    partner: PartnerDouble,
    client: httpx.AsyncClient,
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.DEBUG)
    token_b = "token-b-for-log-test-0123456789"
    token_a, token_c = await register(client, cpo, partner, token_b)
    # Unauthorized attempts with each token, too.
    for token in (token_a, token_b, token_c):
        await client.post(cpo.credentials_url, headers=auth(token), content=b"{")
    text = "\n".join(
        f"{r.name} {r.getMessage()} {r.args!r} {r.exc_text or ''}" for r in caplog.records
    )
    assert caplog.records, "nothing was logged: the capture is not working"
    for secret in (token_a, token_b, token_c):
        assert secret not in text
        assert b64(secret) not in text
