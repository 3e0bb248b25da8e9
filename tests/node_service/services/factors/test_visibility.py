"""Who sees a factor: the library and published factors everybody, a private factor its owner only (search,
show, the calculation library); publishing by the owner; a licensed factor is never published."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from footprint_engine.factors import Factor
from node_service.errors import AccessDenied, Conflict, NotFound
from node_service.services.factors import service
from node_service.services.factors.library import organisation_library
from node_service.services.factors.table_import import namespace
from node_service.services.factors.versions import bump_revision, record_version
from tests.node_service.services.factors.helpers import DbNode, organisation, own_alumina, table


def _library_ids(node: DbNode, viewer: str | None) -> set[str]:
    with node.db.transaction() as session:
        return {f.id for f in organisation_library(session, viewer).library.factors()}


def test_a_private_factor_is_its_owners_until_published(node: DbNode) -> None:
    owner, other = organisation(node.db, "Owner"), organisation(node.db, "Other")
    (factor_id,) = service.import_factor_table(node, owner, table(own_alumina()), "t.csv").created
    assert service.search_factors(node, owner, "自产氧化铝").hits[0].factor.id == factor_id
    assert service.search_factors(node, other, "自产氧化铝").total == 0
    assert service.search_factors(node, None, "自产氧化铝").total == 0
    with pytest.raises(NotFound):
        service.show_factor(node, other, factor_id)
    assert factor_id in _library_ids(node, owner.id)
    assert factor_id not in _library_ids(node, other.id)
    # nobody else may publish it, and nobody may publish a library factor
    with pytest.raises(NotFound):
        service.publish_factor(node, other, factor_id)
    with pytest.raises(AccessDenied):
        service.publish_factor(node, owner, "material/alumina/CN/2021")
    # published: everybody sees and may use it, as redistributable
    factor, changed = service.publish_factor(node, owner, factor_id)
    assert changed and factor.redistributable
    assert service.publish_factor(node, owner, factor_id)[1] is False
    hit = service.search_factors(node, other, "自产氧化铝").hits[0]
    assert hit.factor.id == factor_id and hit.factor.redistributable
    assert factor_id in _library_ids(node, other.id) and factor_id in _library_ids(node, None)
    assert service.show_factor(node, None, factor_id).versions[0].published
    with pytest.raises(AccessDenied):
        service.publish_factor(node, other, factor_id)


def test_a_licensed_factor_cannot_be_published(node: DbNode) -> None:
    owner, other = organisation(node.db, "Licensee"), organisation(node.db, "Other")
    licensed = Factor(
        id=f"{namespace(owner.id)}/lci/market-for-alumina/GLO",
        kind="material",
        key=f"{namespace(owner.id)}/lci/market-for-alumina",
        geography="GLO",
        unit="kg",
        emissions={"CO2/fossil": 1.2},
        source="a licensed LCI database",
        source_id="licensed-lci",
        redistributable=False,
        owner=owner.id,
    )
    with node.db.transaction() as session:
        bump_revision(session)
        record_version(session, licensed, owner=owner.id, now=datetime.now(UTC))
    with pytest.raises(Conflict) as refused:
        service.publish_factor(node, owner, licensed.id)
    assert "licensed-lci" in refused.value.detail
    assert licensed.id not in _library_ids(node, other.id)
    assert licensed.id in _library_ids(node, owner.id)
