"""One exception root for identifier_resolver.

Every message has the form "what failed: detail — what to do". Syntax errors also carry the
name of the rule that failed (``rule``) and the offending input (``value``), so callers such as
the node's submission endpoint can report the field and the rule without parsing text.
"""

from __future__ import annotations

__all__ = [
    "AuthenticationRequiredError",
    "CheckDigitError",
    "HandleExistsError",
    "HandleNotFoundError",
    "HandleServerError",
    "HandleValueError",
    "IdentifierError",
    "IdentifierResolverError",
    "NotResponsibleError",
    "PermissionDeniedError",
    "RecursionLimitError",
    "ServerUnreachableError",
    "UpstreamError",
    "ValueExistsError",
    "ValuesNotFoundError",
]


class IdentifierResolverError(Exception):
    """Root of every error raised by identifier_resolver."""

    def diagnostics(self) -> str:
        """A one-line, user-facing explanation (the message itself)."""
        return str(self)


class IdentifierError(IdentifierResolverError, ValueError):
    """An identifier is malformed: it breaks the syntax rule named by ``rule``."""

    def __init__(self, scheme: str, rule: str, value: str, detail: str, fix: str) -> None:
        self.scheme = scheme
        self.rule = rule
        self.value = value
        self.detail = detail
        self.fix = fix
        super().__init__(f"invalid {scheme} {value!r} ({rule}): {detail} — {fix}")


class CheckDigitError(IdentifierError):
    """The identifier is well formed but its check character is wrong."""

    def __init__(self, scheme: str, rule: str, value: str, got: str, want: str) -> None:
        self.got = got
        self.want = want
        super().__init__(
            scheme,
            rule,
            value,
            f"check character got {got!r}, want {want!r}",
            "re-read the identifier from its source (a typing or scanning error changed a character)",
        )


class HandleValueError(IdentifierResolverError, ValueError):
    """A handle value (index, type, data, ttl) in a record is invalid (Handle responseCode 202)."""

    def __init__(self, field: str, detail: str, fix: str) -> None:
        self.field = field
        super().__init__(f"invalid handle value {field}: {detail} — {fix}")


class HandleNotFoundError(IdentifierResolverError, LookupError):
    """No record exists for the handle anywhere we are allowed to ask (Handle responseCode 100)."""

    def __init__(self, handle: str, detail: str = "no record for this handle") -> None:
        self.handle = handle
        super().__init__(
            f"handle not found {handle!r}: {detail} — check the prefix and suffix, "
            "or register the record under your prefix first"
        )


class NotResponsibleError(HandleNotFoundError):
    """We are not authoritative for the prefix and no upstream resolver is configured (code 301)."""

    def __init__(self, handle: str, prefix: str) -> None:
        self.prefix = prefix
        IdentifierResolverError.__init__(
            self,
            f"handle not found {handle!r}: this node is not responsible for prefix {prefix!r} and has "
            "no upstream resolver — configure an upstream Handle REST server or ask the prefix's own node",
        )
        self.handle = handle


class UpstreamError(IdentifierResolverError):
    """Every upstream resolver failed (timeout, connection error or a broken answer)."""

    def __init__(self, handle: str, failures: list[str]) -> None:
        self.handle = handle
        self.failures = failures
        super().__init__(
            f"upstream resolution failed for {handle!r}: {'; '.join(failures)} — "
            "check that the upstream resolvers are reachable, or raise the timeout"
        )


class RecursionLimitError(IdentifierResolverError):
    """A request came back through too many resolvers (a forwarding loop, Handle responseCode 6)."""

    def __init__(self, handle: str, hops: int, limit: int) -> None:
        self.handle = handle
        super().__init__(
            f"recursive resolution stopped for {handle!r}: hop count got {hops}, limit {limit} — "
            "two resolvers probably list each other as upstream; break the loop in their configuration"
        )


class AuthenticationRequiredError(IdentifierResolverError):
    """A record-management call came without credentials (HTTP 401, Handle responseCode 402)."""

    def __init__(self, detail: str = "this operation needs credentials") -> None:
        super().__init__(f"authentication required: {detail} — send the credentials of the prefix owner")


class PermissionDeniedError(IdentifierResolverError):
    """The caller may not manage records under this prefix (HTTP 403, Handle responseCode 401)."""

    def __init__(self, prefix: str) -> None:
        self.prefix = prefix
        super().__init__(
            f"permission denied for prefix {prefix!r}: the caller does not own this prefix — "
            "manage only records under your organisation's own prefixes"
        )


class HandleExistsError(IdentifierResolverError):
    """PUT with ``overwrite=false`` on a handle that exists (HTTP 409, Handle responseCode 101)."""

    def __init__(self, handle: str) -> None:
        self.handle = handle
        super().__init__(f"handle already exists {handle!r}: overwrite=false was given — drop it to replace")


class ValueExistsError(IdentifierResolverError):
    """PUT with ``overwrite=false`` on indices that exist (HTTP 409, Handle responseCode 201)."""

    def __init__(self, handle: str, indices: list[int]) -> None:
        self.handle = handle
        super().__init__(
            f"handle values already exist {handle!r}: indices {indices} — drop overwrite=false to replace them"
        )


class ValuesNotFoundError(IdentifierResolverError):
    """A management call named indices the record does not have (HTTP 400, Handle responseCode 200)."""

    def __init__(self, handle: str, indices: list[int]) -> None:
        self.handle = handle
        super().__init__(f"handle values not found {handle!r}: indices {indices} — list the record first")


class HandleServerError(IdentifierResolverError):
    """A Handle REST server answered with an error or with a body that breaks the API."""

    def __init__(self, url: str, status: int, response_code: int | None, detail: str) -> None:
        self.url = url
        self.status = status
        self.response_code = response_code
        super().__init__(
            f"Handle server error at {url}: HTTP {status}, responseCode {response_code}: {detail} — "
            "check the request or the server's logs"
        )


class ServerUnreachableError(IdentifierResolverError):
    """A Handle REST server could not be reached in time."""

    def __init__(self, url: str, detail: str, *, timed_out: bool) -> None:
        self.url = url
        self.timed_out = timed_out
        super().__init__(f"Handle server unreachable at {url}: {detail} — check the URL, network and timeout")
