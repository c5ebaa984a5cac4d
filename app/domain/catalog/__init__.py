"""Master data: warehouses, zones, locations, products, suppliers, and their CSV import."""
