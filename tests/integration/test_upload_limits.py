"""Dataset uploads stream past the request limits with a limit of their own."""

from __future__ import annotations

from collections.abc import Iterator

from tests.conftest import ClientFactory

BOUNDARY = "pyrewatch-test-boundary"
MULTIPART = {"content-type": f"multipart/form-data; boundary={BOUNDARY}"}


def _csv_upload(rows: int) -> bytes:
    csv = "question,answer\n" + "".join(f"q{i},a{i}\n" for i in range(rows))
    parts = [
        f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="name"\r\n\r\nuploaded\r\n',
        f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="input_keys[]"\r\n\r\nquestion\r\n',
        f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="output_keys[]"\r\n\r\nanswer\r\n',
        f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="file"; filename="d.csv"\r\n'
        f"Content-Type: text/csv\r\n\r\n{csv}\r\n",
        f"--{BOUNDARY}--\r\n",
    ]
    return "".join(parts).encode()


def _chunked(body: bytes) -> Iterator[bytes]:
    for start in range(0, len(body), 1024):
        yield body[start : start + 1024]


def test_an_upload_over_the_api_body_limit_is_accepted_under_its_own(make_client: ClientFactory) -> None:
    body = _csv_upload(400)
    client = make_client({"PYREWATCH_MAX_API_BODY_BYTES": "2048", "PYREWATCH_MAX_UPLOAD_BODY_BYTES": str(len(body))})
    assert len(body) > 2048
    response = client.post("/v1/datasets/upload?sync=true", content=_chunked(body), headers=MULTIPART)
    assert response.status_code == 200, response.text
    assert client.get("/v1/datasets").json()["data"][0]["example_count"] == 400


def test_a_streamed_upload_past_its_limit_is_413_and_stores_nothing(make_client: ClientFactory) -> None:
    body = _csv_upload(400)
    client = make_client({"PYREWATCH_MAX_UPLOAD_BODY_BYTES": str(len(body) - 1)})
    response = client.post("/v1/datasets/upload?sync=true", content=_chunked(body), headers=MULTIPART)
    assert (response.status_code, response.text) == (
        413,
        f"Request body is larger than the limit of {len(body) - 1} bytes",
    )
    assert client.get("/v1/datasets").json()["data"] == []
