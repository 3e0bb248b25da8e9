"""The node's stored records that services hand to their callers, named here for the callers' type annotations:
the api and the portal's routes never import node_service.db themselves (import-linter's "routes-no-database"
contract). Callers read these objects, detached from any session; they change them only through services."""

from __future__ import annotations

from node_service.db.models import Footprint, Organisation, OrganisationKey, Submission

__all__ = ["Footprint", "Organisation", "OrganisationKey", "Submission"]
