"""Dependencies shared by the routers."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from node_service.runtime import Node
from node_service.services.organisations.registration import authenticate_token
from node_service.services.records import Organisation

__all__ = ["CurrentOrg", "NodeDep"]

_bearer = HTTPBearer(auto_error=False, description="API token returned at registration")


def get_node(request: Request) -> Node:
    node: Node = request.app.state.node
    return node


NodeDep = Annotated[Node, Depends(get_node)]


def current_organisation(
    node: NodeDep, credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)]
) -> Organisation:
    return authenticate_token(node, credentials.credentials if credentials else None)


CurrentOrg = Annotated[Organisation, Depends(current_organisation)]
