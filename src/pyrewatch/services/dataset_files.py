"""Dataset uploads as received: JSON bodies and tabular files (CSV, JSONL, Arrow IPC streams).

Parsing is lazy: a file yields one ``UploadRow`` at a time, so a large CSV is read from its
(spooled) part and decompressed as it is consumed, never held whole in memory. Any problem
raises ``InvalidInput`` naming what is wrong; the upload runs in one transaction, so a bad row
late in a file leaves the database unchanged.
"""

from __future__ import annotations

import csv
import gzip
import io
import json
import math
import zlib
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from typing import IO, Any

from pyrewatch.errors import InvalidInput

__all__ = ["TabularForm", "UploadRow", "json_rows", "tabular_rows"]

CSV_FIELD_LIMIT = 16 * 1024 * 1024


@dataclass(frozen=True)
class UploadRow:
    input: dict[str, Any]
    output: dict[str, Any]
    metadata: dict[str, Any]
    splits: tuple[str, ...] | None = None
    span_id: str | None = None
    external_id: str | None = None


@dataclass(frozen=True)
class TabularForm:
    """The text fields of a multipart upload that say which columns go where."""

    input_keys: Sequence[str] = ()
    output_keys: Sequence[str] = ()
    metadata_keys: Sequence[str] = ()
    split_keys: Sequence[str] = ()
    split_key: str | None = None
    span_id_key: str | None = None
    example_id_key: str | None = None
    flatten_keys: Sequence[str] = field(default_factory=tuple)


def _objects(value: Any, what: str, length: int | None) -> list[dict[str, Any]]:
    if not isinstance(value, list) or not all(isinstance(item, dict) for item in value):
        if what == "inputs":
            raise InvalidInput("Input should be a list containing only dictionary objects")
        raise InvalidInput(f"{what} should be a list of same length as input containing only dictionary objects")
    if length is not None and len(value) != length:
        raise InvalidInput(f"{what} should be a list of same length as input containing only dictionary objects")
    return value


def _column(body: dict[str, Any], key: str, length: int) -> list[Any] | None:
    value = body.get(key)
    if value is None:
        return None
    if not isinstance(value, list):
        raise InvalidInput(f"{key} must be a list")
    if len(value) != length:
        raise InvalidInput(f"{key} must have same length as inputs ({len(value)} != {length})")
    return value


def _split_names(value: Any) -> tuple[str, ...]:
    if value is None:
        return ()
    items = [value] if isinstance(value, str) else value
    if not isinstance(items, list) or not all(isinstance(item, str) for item in items):
        raise InvalidInput("splits entries must be null, a string or a list of strings")
    return tuple(dict.fromkeys(item.strip() for item in items if item.strip()))


def _optional_text(value: Any, what: str) -> str | None:
    if value is None:
        return None
    if not isinstance(value, str):
        raise InvalidInput(f"{what} entries must be strings or null")
    return value or None


def json_rows(body: dict[str, Any]) -> list[UploadRow]:
    """The examples of a JSON upload body (``inputs`` and the columns that go with it)."""
    if "inputs" not in body:
        raise InvalidInput("input is required")
    inputs = _objects(body["inputs"], "inputs", None)
    n = len(inputs)
    outputs = _objects(body["outputs"], "outputs", n) if body.get("outputs") else [{} for _ in inputs]
    metadata = _objects(body["metadata"], "metadata", n) if body.get("metadata") else [{} for _ in inputs]
    splits = _column(body, "splits", n)
    span_ids = _column(body, "span_ids", n)
    example_ids = _column(body, "example_ids", n)
    seen: set[str] = set()
    rows = []
    for i in range(n):
        external = _optional_text(example_ids[i], "example_ids") if example_ids else None
        if external is not None:
            if external in seen:
                raise InvalidInput(f"Duplicate example_id in request: {external!r}")
            seen.add(external)
        rows.append(
            UploadRow(
                input=inputs[i],
                output=outputs[i],
                metadata=metadata[i],
                splits=_split_names(splits[i]) if splits is not None else None,
                span_id=_optional_text(span_ids[i], "span_ids") if span_ids else None,
                external_id=external,
            )
        )
    return rows


class _Inflate(io.RawIOBase):
    """A readable stream of a zlib ("deflate") compressed stream."""

    def __init__(self, raw: IO[bytes]) -> None:
        self._raw = raw
        self._inflate = zlib.decompressobj()
        self._pending = b""

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        while not self._pending:
            chunk = self._raw.read(64 * 1024)
            if not chunk:
                self._pending = self._inflate.flush()
                break
            self._pending = self._inflate.decompress(chunk)
        n = min(len(buffer), len(self._pending))
        buffer[:n] = self._pending[:n]
        self._pending = self._pending[n:]
        return n


def decoded_stream(raw: IO[bytes], encoding: str | None) -> IO[bytes]:
    """The part's bytes with its own ``Content-Encoding`` (gzip or deflate) undone, lazily."""
    if not encoding or encoding == "identity":
        return raw
    if encoding == "gzip":
        return io.BufferedReader(gzip.GzipFile(fileobj=raw, mode="rb"))
    if encoding == "deflate":
        return io.BufferedReader(_Inflate(raw))
    raise InvalidInput(f"Unsupported file Content-Encoding: {encoding}")


def _text_lines(stream: IO[bytes], what: str) -> Iterator[str]:
    text = io.TextIOWrapper(stream, encoding="utf-8-sig", newline="")
    try:
        yield from text
    except UnicodeDecodeError as exc:
        raise InvalidInput(f"{what} file is not valid UTF-8 (byte {exc.start} of a chunk: {exc.reason})") from None
    except (OSError, EOFError, zlib.error) as exc:
        raise InvalidInput(f"{what} file could not be decompressed: {exc}") from None


def _nest(flat: dict[str, Any], bucket: str, is_dotted: bool) -> dict[str, Any]:
    if not is_dotted:
        return flat
    nested: dict[str, Any] = {}
    for key, value in flat.items():
        path = key.removeprefix(f"{bucket}.").split(".") if key.startswith(f"{bucket}.") else [key]
        target = nested
        for part in path[:-1]:
            child = target.setdefault(part, {})
            target = child if isinstance(child, dict) else target
        target[path[-1]] = value
    return nested


def _blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and value.strip() in ("", "nan")) or value != value


class _RowBuilder:
    """Turns one record (column -> value) into an ``UploadRow`` following the form."""

    def __init__(self, form: TabularForm, columns: Sequence[str], *, keep_empty: bool) -> None:
        self.form = form
        self.keep_empty = keep_empty
        self.dotted = any(k.startswith(("input.", "output.", "metadata.")) for k in columns)
        header = set(columns)
        for what, keys in (
            ("input", form.input_keys),
            ("output", form.output_keys),
            ("metadata", form.metadata_keys),
            ("split", form.split_keys),
        ):
            missing = frozenset(keys) - header
            if missing:
                raise InvalidInput(f"{what} keys not found in column headers: {missing}")
        for what, key in (
            ("split_key", form.split_key),
            ("span_id_key", form.span_id_key),
            ("example_id_key", form.example_id_key),
        ):
            if key and key not in header:
                raise InvalidInput(f"{what} {key!r} not found in column headers")

    def _bucket(self, record: dict[str, Any], keys: Sequence[str], bucket: str) -> dict[str, Any]:
        flat: dict[str, Any] = {}
        for key in keys:
            value = record.get(key)
            if key in self.form.flatten_keys and isinstance(value, str) and value.strip():
                try:
                    spread = json.loads(value)
                except ValueError:
                    raise InvalidInput(f"Column {key!r} must hold JSON objects to be flattened") from None
                if isinstance(spread, dict):
                    flat.update(spread)
                    continue
            if self.keep_empty or not (value is None or value == ""):
                flat[key] = value
        return _nest(flat, bucket, self.dotted)

    def _splits(self, record: dict[str, Any]) -> tuple[str, ...] | None:
        form = self.form
        if form.split_key:
            value = record.get(form.split_key)
            if isinstance(value, str) and value.strip().startswith("["):
                try:
                    value = json.loads(value)
                except ValueError:
                    raise InvalidInput(f"Column {form.split_key!r} holds an invalid JSON list: {value}") from None
            return () if _blank(value) else _split_names(value if isinstance(value, list) else str(value))
        if form.split_keys:
            names = [str(record.get(k)).strip() for k in form.split_keys if not _blank(record.get(k))]
            return tuple(dict.fromkeys(names))
        return None

    def build(self, record: dict[str, Any]) -> UploadRow:
        form = self.form
        span = record.get(form.span_id_key) if form.span_id_key else None
        external = record.get(form.example_id_key) if form.example_id_key else None
        return UploadRow(
            input=self._bucket(record, form.input_keys, "input"),
            output=self._bucket(record, form.output_keys, "output"),
            metadata=self._bucket(record, form.metadata_keys, "metadata"),
            splits=self._splits(record),
            span_id=None if _blank(span) else str(span),
            external_id=None if _blank(external) else str(external),
        )


def _csv_rows(stream: IO[bytes], form: TabularForm) -> Iterator[UploadRow]:
    csv.field_size_limit(CSV_FIELD_LIMIT)
    reader = csv.reader(_text_lines(stream, "CSV"), strict=True)
    try:
        header = next(reader, None)
        if not header or not any(name.strip() for name in header):
            raise InvalidInput("Missing CSV column header")
        duplicates = sorted({name for name in header if header.count(name) > 1})
        if duplicates:
            raise InvalidInput(f"Duplicated column header in CSV file: {', '.join(duplicates)}")
        builder = _RowBuilder(form, header, keep_empty=False)
        for cells in reader:
            if not cells:
                continue
            if len(cells) != len(header):
                raise InvalidInput(
                    f"CSV line {reader.line_num} has {len(cells)} fields but the header has {len(header)}"
                )
            yield builder.build(dict(zip(header, cells, strict=True)))
    except csv.Error as exc:
        raise InvalidInput(f"Malformed CSV at line {reader.line_num}: {exc}") from None


def _jsonl_rows(stream: IO[bytes], form: TabularForm) -> Iterator[UploadRow]:
    builder: _RowBuilder | None = None
    for number, line in enumerate(_text_lines(stream, "JSONL"), start=1):
        if not line.strip():
            continue
        try:
            record = json.loads(line)
        except ValueError:
            raise InvalidInput(f"JSONL line {number} is not valid JSON") from None
        if not isinstance(record, dict):
            raise InvalidInput(f"JSONL line {number} is not a JSON object")
        if builder is None:
            builder = _RowBuilder(form, list(record), keep_empty=True)
        yield builder.build(record)


def _arrow_rows(stream: IO[bytes], form: TabularForm) -> Iterator[UploadRow]:
    try:
        import pyarrow as pa  # noqa: PLC0415  (optional dependency, loaded only for Arrow uploads)
    except ImportError:  # pragma: no cover - depends on the installation
        raise InvalidInput(
            "Arrow uploads need pyarrow installed on the server (pip install pyrewatch[arrow])"
        ) from None
    try:
        reader = pa.ipc.open_stream(stream)
    except (pa.ArrowInvalid, OSError):
        raise InvalidInput("File is not valid pyarrow") from None
    builder = _RowBuilder(form, reader.schema.names, keep_empty=True)
    try:
        for batch in reader:
            for record in batch.to_pylist():
                yield builder.build({k: _finite(v) for k, v in record.items()})
    except (pa.ArrowInvalid, OSError):
        raise InvalidInput("File is not valid pyarrow") from None


def _finite(value: Any) -> Any:
    return None if isinstance(value, float) and not math.isfinite(value) else value


def tabular_rows(stream: IO[bytes], content_type: str, form: TabularForm) -> Iterator[UploadRow]:
    """Rows of a file part, parsed by its own content type."""
    if form.split_keys and form.split_key:
        raise InvalidInput("Cannot specify both 'split_keys[]' and 'split_key'. Use 'split_key' only.")
    if content_type == "text/csv":
        return _csv_rows(stream, form)
    if content_type == "application/jsonl":
        return _jsonl_rows(stream, form)
    if content_type == "application/x-pandas-pyarrow":
        return _arrow_rows(stream, form)
    raise InvalidInput(f"Invalid file content type: {content_type}")
