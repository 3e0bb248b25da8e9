"""The identifiers a submission cites, and their resolution before anything is stored.

Cited identifiers (field paths as in the activity-data schema): ``productIdentifier``,
``site.identifier``, ``inputs.materials[i].identifier``, ``inputs.materials[i].upstreamFootprint.identifier``
and ``coProducts[i].identifier``. ``resolve_cited`` follows these steps:

1. Parse each with identifier_resolver's syntax rules (handle, GTIN, GS1 Digital Link, PACT URN); a
   malformed one, or a company identifier (USCC) where a product is expected, is refused (422
   ``invalid-identifier``) naming the field and the rule.
2. Handles under a prefix registered on this node: the record must exist here (422
   ``unresolvable-identifier`` otherwise).
3. Other handles: the node's :class:`Resolver` (TTL cache, then the upstreams of
   ``TANLIAN_HANDLE_UPSTREAMS``). "Not found" or a failure of every upstream is refused. When neither this
   node nor any upstream serves the prefix, the identifier is refused with ``TANLIAN_STRICT_IDENTIFIERS``
   and otherwise accepted and flagged ``unresolved-identifier`` on the stored submission.
4. GTINs (and Digital Links) are valid by their check digit; when a record served here declares the GTIN,
   the identifier resolves to that handle.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from sqlalchemy.orm import Session

from identifier_resolver import (
    DigitalLink,
    Gtin,
    Handle,
    HandleNotFoundError,
    IdentifierError,
    IdentifierResolverError,
    NotResponsibleError,
    Resolver,
    Uscc,
    parse_identifier,
)
from node_service.services.organisations.errors import InvalidIdentifier, UnresolvableIdentifier
from node_service.services.organisations.handles import (
    DatabaseHandleStore,
    existing_record_keys,
    gtin_handles,
    served_prefixes,
)

if TYPE_CHECKING:
    from footprint_engine.activity import ActivityData
    from node_service.db import Database
    from node_service.settings import Settings

__all__ = ["UNRESOLVED_FLAG", "Cited", "Resolved", "cited_identifiers", "make_resolver", "resolve_cited"]

UNRESOLVED_FLAG = "unresolved-identifier"


def make_resolver(settings: Settings, database: Callable[[], Database]) -> Resolver:
    """The node's one :class:`Resolver`: its handle records in ``database`` and the upstreams from the
    settings (the runtime makes it once per node; close it when the node stops)."""
    return Resolver(DatabaseHandleStore(database), settings.handle_upstream_urls)


@dataclass(frozen=True, slots=True)
class Cited:
    field: str
    text: str


@dataclass(frozen=True, slots=True)
class Resolved:
    field: str
    identifier: str
    handle: str | None  # the record it resolved to, None for a GTIN without a record here
    source: str  # "store" | "cache" | upstream URL | "syntax" | "unresolved"


def cited_identifiers(activity: ActivityData) -> list[Cited]:
    """Every identifier the activity data cites, with its field path."""
    out = [Cited("productIdentifier", activity.product_identifier)]
    if activity.site.identifier:
        out.append(Cited("site.identifier", activity.site.identifier))
    for i, material in enumerate(activity.inputs.materials):
        out.append(Cited(f"inputs.materials[{i}].identifier", material.identifier))
        if material.upstream_footprint is not None:
            out.append(
                Cited(
                    f"inputs.materials[{i}].upstreamFootprint.identifier",
                    material.upstream_footprint.identifier,
                )
            )
    for i, co in enumerate(activity.co_products):
        out.append(Cited(f"coProducts[{i}].identifier", co.identifier))
    return out


def _parse(cited: Cited, prefix: str) -> Handle | Gtin | None:
    """The parsed identifier; None for a site named by its operator's USCC (syntax is all there is)."""
    field = f"{prefix}{cited.field}"
    try:
        parsed = parse_identifier(cited.text)
    except IdentifierError as exc:
        raise InvalidIdentifier(
            f"{field} {cited.text[:200]!r}: {exc.detail} (rule {exc.rule})", fix=exc.fix, field=field
        ) from exc
    if isinstance(parsed, Uscc) and cited.field != "site.identifier":
        raise InvalidIdentifier(
            f"{field} {cited.text!r} is a company identifier (USCC), not a product identifier",
            fix="give the product's IDIS handle, GTIN or PACT URN",
            field=field,
        )
    if isinstance(parsed, DigitalLink):
        return parsed.gtin
    if isinstance(parsed, Uscc):
        return None
    return parsed


def resolve_cited(
    session: Session,
    resolver: Resolver,
    cited: list[Cited],
    *,
    strict: bool,
    field_prefix: str = "credentialSubject.",
) -> tuple[list[Resolved], list[tuple[str, str, str]]]:
    """Resolve every cited identifier (module docstring); returns (resolutions, flags).

    Flags are ``(kind, field, detail)`` for the stored submission. Raises before anything is stored.
    """
    # (1)
    parsed = [(c, _parse(c, field_prefix)) for c in cited]
    handles = [(c, p) for c, p in parsed if isinstance(p, Handle)]
    served = served_prefixes(session, (h.prefix_key for _, h in handles))
    local = existing_record_keys(session, (h.key for _, h in handles if h.prefix_key in served))
    gtins = gtin_handles(session, (p.gtin14 for _, p in parsed if isinstance(p, Gtin)))
    out: list[Resolved] = []
    flags: list[tuple[str, str, str]] = []
    for c, p in parsed:
        field = f"{field_prefix}{c.field}"
        if p is None:
            out.append(Resolved(c.field, c.text, None, "syntax"))
        elif isinstance(p, Gtin):  # (4)
            key = gtins.get(p.gtin14)
            out.append(Resolved(c.field, c.text, key, "store" if key else "syntax"))
        elif p.prefix_key in served:  # (2)
            if p.key not in local:
                raise UnresolvableIdentifier(
                    f"{field} {str(p)!r}: prefix {p.prefix} is served by this node but has no record for it",
                    fix=f"create the record first (PUT /api/handles/{p.url_path()}) by the prefix's owner",
                    field=field,
                )
            out.append(Resolved(c.field, c.text, str(p), "store"))
        else:  # (3)
            try:
                resolution = resolver.resolve(p)
            except NotResponsibleError as exc:
                if strict:
                    raise UnresolvableIdentifier(
                        f"{field} {str(p)!r}: no resolver serves prefix {p.prefix}",
                        fix="register the prefix on this node, or configure TANLIAN_HANDLE_UPSTREAMS",
                        field=field,
                    ) from exc
                flags.append((UNRESOLVED_FLAG, field, f"{p}: no resolver serves prefix {p.prefix}"))
                out.append(Resolved(c.field, c.text, None, "unresolved"))
                continue
            except HandleNotFoundError as exc:
                raise UnresolvableIdentifier(
                    f"{field} {str(p)!r}: {exc}", fix="cite an identifier that has a record", field=field
                ) from exc
            except IdentifierResolverError as exc:
                raise UnresolvableIdentifier(
                    f"{field} {str(p)!r}: {exc}", fix="retry when the upstream resolvers answer", field=field
                ) from exc
            out.append(Resolved(c.field, c.text, str(resolution.record.handle), resolution.source))
    return out, flags
