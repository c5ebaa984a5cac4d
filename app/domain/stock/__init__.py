"""Stock: the movement ledger, balances and the inventory figures."""

from app.domain.stock.figures import StockFigures, get_stock_figures
from app.domain.stock.ledger import MovementResult, record_movement
from app.domain.stock.operations import adjust_stock, move_stock

__all__ = ["MovementResult", "StockFigures", "adjust_stock", "get_stock_figures", "move_stock", "record_movement"]
