"""The ledger on S3 (or MinIO and other S3-compatible stores with conditional writes).

Creates use ``If-None-Match: *``, updates and the one delete (an open drift moving to the
archive) use ``If-Match: <etag>``; S3 answers 412 when the condition fails and 409 when a
concurrent conditional request on the same key won, both of which the ledger treats as "lost the
race, re-read". Throttling and 5xx are retried by botocore's standard retry mode (configured in
``tfdrift_gitops.adapters.aws``). Every put requests server-side encryption: SSE-KMS with the
configured key, otherwise SSE-S3 (AES256).
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

from botocore.exceptions import BotoCoreError, ClientError

from tfdrift_gitops.errors import CorruptRecordError, LedgerError
from tfdrift_gitops.ledger.base import MAX_OBJECT_BYTES, Blob

if TYPE_CHECKING:
    from mypy_boto3_s3 import S3Client
    from mypy_boto3_s3.type_defs import PutObjectRequestTypeDef

log = logging.getLogger(__name__)

# 412: the precondition failed. 409: a concurrent conditional write on the key is in flight or
# won. 404 on If-Match: the object is gone (moved to the archive meanwhile).
_LOST_RACE = {"412", "409", "PreconditionFailed", "ConditionalRequestConflict"}
_MISSING = {"404", "NoSuchKey", "NotFound"}


def _code(exc: ClientError) -> tuple[str, str]:
    error: Any = exc.response.get("Error", {})
    status = exc.response.get("ResponseMetadata", {}).get("HTTPStatusCode")
    return str(error.get("Code", "")), str(status or "")


class S3Storage:
    def __init__(
        self, client: S3Client, bucket: str, prefix: str = "", *, kms_key_id: str | None = None
    ) -> None:
        self.client = client
        self.bucket = bucket
        self.prefix = prefix.strip("/")
        self.kms_key_id = kms_key_id or None

    @property
    def location(self) -> str:
        return f"s3://{self.bucket}/{self.prefix}" if self.prefix else f"s3://{self.bucket}"

    def url_for(self, key: str) -> str:
        return f"s3://{self.bucket}/{self._key(key)}"

    def _key(self, key: str) -> str:
        return f"{self.prefix}/{key}" if self.prefix else key

    def _fail(self, action: str, key: str, exc: Exception) -> LedgerError:
        if isinstance(exc, ClientError):
            code, status = _code(exc)
            message = exc.response.get("Error", {}).get("Message", "")
            detail = f"{code or status} {message}".strip()
        else:
            detail = str(exc)
        return LedgerError(f"{self.url_for(key)}: S3 {action} failed: {detail}")

    # ------------------------------------------------------------------ reading

    def get(self, key: str) -> Blob | None:
        try:
            response = self.client.get_object(Bucket=self.bucket, Key=self._key(key))
            body = response["Body"]
            try:
                size = int(response.get("ContentLength") or 0)
                if size > MAX_OBJECT_BYTES:
                    raise CorruptRecordError(
                        f"{self.url_for(key)}: {size:,} bytes, over the "
                        f"{MAX_OBJECT_BYTES:,}-byte limit"
                    )
                data = body.read(MAX_OBJECT_BYTES + 1)
            finally:
                body.close()
            if len(data) > MAX_OBJECT_BYTES:
                raise CorruptRecordError(
                    f"{self.url_for(key)}: over the {MAX_OBJECT_BYTES:,}-byte limit"
                )
        except ClientError as exc:
            if set(_code(exc)) & _MISSING:
                return None
            raise self._fail("GetObject", key, exc) from exc
        except BotoCoreError as exc:
            raise self._fail("GetObject", key, exc) from exc
        return Blob(data, response["ETag"])

    def list_keys(self, prefix: str) -> Iterator[str]:
        full = self._key(prefix)
        strip = len(self._key(""))
        paginator = self.client.get_paginator("list_objects_v2")
        try:
            for page in paginator.paginate(Bucket=self.bucket, Prefix=full):
                for item in page.get("Contents", []):
                    yield item["Key"][strip:]
        except (ClientError, BotoCoreError) as exc:
            raise self._fail("ListObjectsV2", prefix, exc) from exc

    # ------------------------------------------------------------------ conditional writes

    def _request(self, key: str, data: bytes) -> PutObjectRequestTypeDef:
        request: PutObjectRequestTypeDef = {
            "Bucket": self.bucket,
            "Key": self._key(key),
            "Body": data,
            "ContentType": "application/json",
        }
        if self.kms_key_id:
            request["ServerSideEncryption"] = "aws:kms"
            request["SSEKMSKeyId"] = self.kms_key_id
        else:
            request["ServerSideEncryption"] = "AES256"
        return request

    def _put(self, key: str, request: PutObjectRequestTypeDef) -> str | None:
        try:
            response = self.client.put_object(**request)
        except ClientError as exc:
            codes = set(_code(exc))
            if codes & _LOST_RACE or ("IfMatch" in request and codes & _MISSING):
                return None
            raise self._fail("PutObject", key, exc) from exc
        except BotoCoreError as exc:
            raise self._fail("PutObject", key, exc) from exc
        return response["ETag"]

    def put_if_absent(self, key: str, data: bytes) -> str | None:
        request = self._request(key, data)
        request["IfNoneMatch"] = "*"
        return self._put(key, request)

    def put_if_match(self, key: str, data: bytes, etag: str) -> str | None:
        request = self._request(key, data)
        request["IfMatch"] = etag
        return self._put(key, request)

    def delete_if_match(self, key: str, etag: str) -> bool:
        try:
            self.client.delete_object(Bucket=self.bucket, Key=self._key(key), IfMatch=etag)
        except ClientError as exc:
            if set(_code(exc)) & (_LOST_RACE | _MISSING):
                return False
            raise self._fail("DeleteObject", key, exc) from exc
        except BotoCoreError as exc:
            raise self._fail("DeleteObject", key, exc) from exc
        return True
