"""With TEXTWASH_API_KEYS set, /v1/* needs a bearer key; health, metrics and docs stay open."""
from __future__ import annotations

import pytest
from service_helpers import API_KEYS


@pytest.mark.parametrize("headers", [{}, {"Authorization": "Bearer wrong"}, {"Authorization": "key-one"},
                                     {"Authorization": "Basic a2V5LW9uZQ=="},
                                     {"Authorization": "Bearer k\u00e9y-one".encode("latin-1")}])
def test_v1_without_a_valid_key_is_401(keyed_server, http, headers):
    for path in ("/v1/clean", "/v1/clean/batch"):
        response = http.post(keyed_server.url + path, json={"text": "x"}, headers=headers)
        assert response.status_code == 401
        assert response.headers["Content-Type"] == "application/problem+json"
        assert response.headers["WWW-Authenticate"].startswith("Bearer")
        assert "API key" in response.json()["detail"]


@pytest.mark.parametrize("key", API_KEYS)
def test_each_configured_key_is_accepted(keyed_server, http, key):
    response = http.post(keyed_server.url + "/v1/clean", json={"text": "x"}, headers={"Authorization": f"Bearer {key}"})
    assert response.status_code == 200, response.text
    batch = http.post(keyed_server.url + "/v1/clean/batch", data=b'{"text": "x"}\n',
                      headers={"Authorization": f"bearer {key}", "Content-Type": "application/x-ndjson"})
    assert batch.status_code == 200


@pytest.mark.parametrize("path", ["/healthz", "/readyz", "/metrics", "/openapi.json", "/"])
def test_operations_stay_open(keyed_server, http, path):
    assert http.get(keyed_server.url + path).status_code == 200


def test_no_keys_means_no_authentication(server, http):
    assert http.post(server.url + "/v1/clean", json={"text": "x"}).status_code == 200
