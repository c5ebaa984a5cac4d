"""Stocktakes and cycle counts: counting stock, approving variances and posting them."""
