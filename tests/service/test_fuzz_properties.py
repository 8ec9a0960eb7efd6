"""Properties of the HTTP API on generated input (hypothesis, derandomized, bounded examples).

- a batch answers what single requests answer, document for document, in order (NDJSON and JSON);
- caller phrases (``extra_rules``) of any text get a result equal to the library's or a 422, never a 500
  (the schemathesis run leaves extra_rules out; see test_service_openapi.py).
"""
from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from service_helpers import jsonable, ndjson, parse_ndjson, without_version

from heuristics import CATEGORIES, CleanError, clean

LINES = ["Subscribe", "Share this article", "Photo: Reuters", "Support us", "Monthly", "Donate now",
         "By Anna Petrova", "Published March 4, 2024, 10:15 a.m.", "Tags: politics, budget", "© AFP 2023 / Jane Doe",
         "Talks Resume in Geneva", "Related", "Read more", "Comments (3)", "Accept all cookies", ""]
WORDS = "the council approved budget on tuesday after long debate about schools roads and future of town".split()
prose = st.lists(st.sampled_from(WORDS), min_size=12, max_size=30).map(lambda ws: " ".join(ws).capitalize() + ".")
line = st.one_of(st.sampled_from(LINES), prose, st.text(max_size=30))
text = st.lists(line, max_size=15).map("\n".join)
options = st.fixed_dictionaries({}, optional={
    "mode": st.sampled_from(["precision", "balanced", "recall"]),
    "keep": st.lists(st.sampled_from(CATEGORIES), max_size=2, unique=True),
    "explain": st.booleans(),
    "language": st.sampled_from(["en", "de", "fr"]),
})
documents = st.lists(st.fixed_dictionaries({"text": text}, optional={"options": options}), min_size=1, max_size=6)
SETTINGS = settings(max_examples=20, deadline=None, derandomize=True,
                    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])


@SETTINGS
@given(documents)
def test_a_batch_answers_what_single_requests_answer_in_order(server, http, documents):
    singles = []
    for document in documents:
        response = http.post(server.url + "/v1/clean", json=document, timeout=60)
        assert response.status_code == 200, response.text
        singles.append(without_version(response.json()))
    batch = [{"id": f"d{i}", **document} for i, document in enumerate(documents)]
    streamed = parse_ndjson(http.post(server.url + "/v1/clean/batch", data=ndjson(batch), timeout=60,
                                      headers={"Content-Type": "application/x-ndjson"}).content)
    assert [item["id"] for item in streamed] == [f"d{i}" for i in range(len(documents))]
    assert [without_version({k: v for k, v in item.items() if k != "id"}) for item in streamed] == singles
    whole = http.post(server.url + "/v1/clean/batch", json={"documents": batch}, timeout=60).json()["results"]
    assert [without_version({k: v for k, v in item.items() if k != "id"}) for item in whole] == singles


phrases = st.lists(st.text(min_size=1, max_size=20) | st.sampled_from(["📷 Foto", "a\x7fb", "\u2028", "'\"\\"]),
                   min_size=1, max_size=3)


@SETTINGS
@given(st.dictionaries(st.sampled_from(CATEGORIES), phrases, min_size=1, max_size=2), text)
def test_caller_phrases_of_any_text_are_a_result_or_a_422(server, http, extra_rules, body):
    response = http.post(server.url + "/v1/clean", json={"text": body, "options": {"extra_rules": extra_rules}},
                         timeout=60)
    try:
        expected = jsonable(clean(body, extra_rules=extra_rules).to_dict())
    except CleanError as error:
        assert response.status_code == 422 and response.json()["field"] == "options.extra_rules", response.text
        assert error.field == "extra_rules"
        return
    assert response.status_code == 200, response.text
    assert without_version(response.json()) == expected
