"""Random and mutated documents at the endpoint: a clear answer, never a 500."""

import pathlib
import random

import requests
from conftest import signed
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

REPO = pathlib.Path(__file__).resolve().parents[1]
SAMPLES = [
    path.read_bytes()
    for path in sorted((REPO / "addons/ecom_order_intake/demo/orders").glob("*.xml"))
]

FUZZ_SETTINGS = settings(
    max_examples=60,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


def mutate(sample, seed):
    rng = random.Random(seed)
    data = bytearray(sample)
    for _ in range(rng.randint(1, 8)):
        choice = rng.random()
        position = rng.randrange(len(data))
        if choice < 0.4:
            data[position] = rng.randrange(256)
        elif choice < 0.7:
            del data[position : position + rng.randint(1, 40)]
        else:
            data[position:position] = rng.choice(
                [
                    b"<",
                    b">",
                    b"&",
                    b"]]>",
                    b"<!ENTITY x 'y'>",
                    b"\x00",
                    b"&amp;",
                    b"</Order>",
                ]
            )
    return bytes(data)


def _check(odoo_server, shop, body):
    response = requests.post(
        f"{odoo_server.url}/ecom/intake/{shop['code']}/orders",
        data=body,
        headers=signed(shop, body),
        timeout=30,
    )
    assert response.status_code in (200, 202, 400, 413), (
        response.status_code,
        response.text,
    )
    payload = response.json()
    if response.status_code in (200, 202):
        assert payload["intake"]
    else:
        assert payload["error"] and payload["message"]


@FUZZ_SETTINGS
@given(body=st.binary(max_size=2048))
def test_random_bytes(odoo_server, shop, body):
    _check(odoo_server, shop, body)


@FUZZ_SETTINGS
@given(index=st.integers(0, len(SAMPLES) - 1), seed=st.integers(0, 2**32))
def test_mutated_samples(odoo_server, shop, index, seed):
    _check(odoo_server, shop, mutate(SAMPLES[index], seed))


@FUZZ_SETTINGS
@given(body=st.binary(max_size=512))
def test_unsigned_garbage_is_refused(odoo_server, shop, body):
    response = requests.post(
        f"{odoo_server.url}/ecom/intake/{shop['code']}/orders", data=body, timeout=30
    )
    assert response.status_code == 401
