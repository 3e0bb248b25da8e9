"""identifier_resolver — industrial-internet identifiers and a Handle REST resolver node.

Syntax (``identifier_resolver.syntax``): IDIS/Handle handles, GS1 GTIN and Digital Link, unified
social credit codes (GB 32100), and their PACT ``productIds``/``companyIds`` URNs. Resolution:
:class:`Resolver` (authoritative store + recursive upstreams with a TTL cache), :func:`create_router`
(the Handle.Net HTTP JSON REST API), :class:`HandleClient`. Works alone: imports nothing of the node.
"""

from identifier_resolver.client import HOPS_HEADER, HandleClient
from identifier_resolver.errors import (
    AuthenticationRequiredError,
    CheckDigitError,
    HandleExistsError,
    HandleNotFoundError,
    HandleServerError,
    HandleValueError,
    IdentifierError,
    IdentifierResolverError,
    NotResponsibleError,
    PermissionDeniedError,
    RecursionLimitError,
    ServerUnreachableError,
    UpstreamError,
    ValueExistsError,
    ValuesNotFoundError,
)
from identifier_resolver.management import delete_values, put_values
from identifier_resolver.records import (
    TYPE_CN_CODE,
    TYPE_GTIN,
    TYPE_MANUFACTURER,
    TYPE_MANUFACTURER_USCC,
    TYPE_NAME,
    TYPE_PCF_ID,
    TYPE_URL,
    HandleRecord,
    HandleValue,
)
from identifier_resolver.resolver import Resolution, Resolver
from identifier_resolver.routes import Authorize, create_router, handle_error_status
from identifier_resolver.store import HandleRecordStore, InMemoryHandleStore
from identifier_resolver.syntax import (
    DigitalLink,
    Gtin,
    Handle,
    Identifier,
    IdisPrefix,
    Uscc,
    is_rfc8141_urn,
    pact_id_list,
    parse_digital_link,
    parse_gtin,
    parse_handle,
    parse_identifier,
    parse_pact_urn,
    parse_uscc,
    to_pact_urn,
)

__all__ = [
    "HOPS_HEADER",
    "TYPE_CN_CODE",
    "TYPE_GTIN",
    "TYPE_MANUFACTURER",
    "TYPE_MANUFACTURER_USCC",
    "TYPE_NAME",
    "TYPE_PCF_ID",
    "TYPE_URL",
    "AuthenticationRequiredError",
    "Authorize",
    "CheckDigitError",
    "DigitalLink",
    "Gtin",
    "Handle",
    "HandleClient",
    "HandleExistsError",
    "HandleNotFoundError",
    "HandleRecord",
    "HandleRecordStore",
    "HandleServerError",
    "HandleValue",
    "HandleValueError",
    "Identifier",
    "IdentifierError",
    "IdentifierResolverError",
    "IdisPrefix",
    "InMemoryHandleStore",
    "NotResponsibleError",
    "PermissionDeniedError",
    "RecursionLimitError",
    "Resolution",
    "Resolver",
    "ServerUnreachableError",
    "UpstreamError",
    "Uscc",
    "ValueExistsError",
    "ValuesNotFoundError",
    "create_router",
    "delete_values",
    "handle_error_status",
    "is_rfc8141_urn",
    "pact_id_list",
    "parse_digital_link",
    "parse_gtin",
    "parse_handle",
    "parse_identifier",
    "parse_pact_urn",
    "parse_uscc",
    "put_values",
    "to_pact_urn",
]
