"""Administration of Starshipit accounts and warehouses."""
