"""Dependencies shared by the routers."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from node_service.db.models import Organisation
from node_service.runtime import Node
from node_service.services.organisations.registration import authenticate

__all__ = ["CurrentOrg", "NodeDep"]

_bearer = HTTPBearer(auto_error=False, description="API token returned at registration")


def get_node(request: Request) -> Node:
    node: Node = request.app.state.node
    return node


NodeDep = Annotated[Node, Depends(get_node)]


def current_organisation(
    node: NodeDep, credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)]
) -> Organisation:
    with node.db.transaction() as session:
        org = authenticate(session, credentials.credentials if credentials else None)
        session.expunge(org)
        return org


CurrentOrg = Annotated[Organisation, Depends(current_organisation)]
