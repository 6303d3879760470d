from __future__ import annotations

from fastapi import APIRouter

from order_service.dependencies import OrderServiceDep
from order_service.models import Menu

router = APIRouter(tags=["menu"])


@router.get("/menu")
def get_menu(service: OrderServiceDep) -> Menu:
    """The whole catalog, sorted by category then name. No token needed."""
    return Menu(items=service.menu())
