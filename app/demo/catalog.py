"""The demo warehouse's locations and products, with GTINs whose check digits are computed."""

from __future__ import annotations

from dataclasses import dataclass

from app.db.models import LocationType

__all__ = ["DEMO_LOCATIONS", "DEMO_PRODUCTS", "DemoLocation", "DemoProduct", "gtin_check_digit", "make_gtin13", "make_gtin14"]


def gtin_check_digit(digits: str) -> str:
    """Return the GS1 mod-10 check digit of ``digits`` (a GTIN without its last digit).

    Weights alternate 3, 1, 3, … starting from the rightmost data digit, whatever the length.
    """
    if not digits.isdigit():
        raise ValueError(f"GTIN data {digits!r} must be digits only")
    total = sum(int(digit) * (3 if position % 2 == 0 else 1) for position, digit in enumerate(reversed(digits)))
    return str((10 - total % 10) % 10)


def make_gtin13(company_prefix: str, item_reference: int) -> str:
    """Build an EAN-13 from a GS1 company prefix and an item number, check digit included."""
    data = f"{company_prefix}{item_reference:0{12 - len(company_prefix)}d}"
    if len(data) != 12:
        raise ValueError(f"item reference {item_reference} does not fit after prefix {company_prefix!r}")
    return data + gtin_check_digit(data)


def make_gtin14(indicator: int, gtin13: str) -> str:
    """Build the GTIN-14 of a case: indicator digit, the unit's GTIN-13 without its check, new check."""
    data = f"{indicator}{gtin13[:12]}"
    return data + gtin_check_digit(data)


@dataclass(frozen=True)
class DemoLocation:
    code: str
    type: LocationType
    zone: str
    pick_sequence: int = 0
    min_quantity: int | None = None
    max_quantity: int | None = None


@dataclass(frozen=True)
class DemoProduct:
    sku: str
    name: str
    tracking: str = "NONE"
    # Units in one case, when the product also has a case barcode.
    case_units: int | None = None


def _locations() -> list[DemoLocation]:
    rows = [DemoLocation("DOCK-IN", LocationType.STAGING_DOCK, "DOCK")]
    # Ten pick faces along one aisle, walked in pick-sequence order, each refilled from bulk
    # when it drops below its minimum.
    for bay in range(1, 11):
        aisle, shelf = ("A", bay) if bay <= 6 else ("B", bay - 6)
        rows.append(DemoLocation(f"{aisle}-01-{shelf:02d}", LocationType.PICK_FACE, aisle, bay * 10, 20, 120))
    for bay in range(1, 5):
        rows.append(DemoLocation(f"BULK-{bay:02d}", LocationType.BULK_STORAGE, "BULK", 500 + bay * 10))
    rows += [
        DemoLocation("PACK-01", LocationType.PACKING_BENCH, "PACK"),
        DemoLocation("PACK-02", LocationType.PACKING_BENCH, "PACK"),
        DemoLocation("SHIP-01", LocationType.SHIPPING_DOCK, "DOCK"),
        DemoLocation("RET-01", LocationType.RETURNS, "RET"),
        DemoLocation("QUAR-01", LocationType.QUARANTINE, "Q"),
        DemoLocation("TOTE-001", LocationType.TOTE, ""),
        DemoLocation("TOTE-002", LocationType.TOTE, ""),
    ]
    return rows


# Ten product lines in five variants each: 50 SKUs an online outdoor store might stock.
_LINES = [
    ("SOCK-MER", "Merino hiking socks", ["S", "M", "L", "XL", "KIDS"], 12),
    ("BEANIE", "Wool beanie", ["BLACK", "NAVY", "RUST", "GREY", "OLIVE"], 6),
    ("BOTTLE", "Steel water bottle", ["500ML", "750ML", "1L", "1L-INS", "2L"], 6),
    ("TEE-ORG", "Organic cotton tee", ["S", "M", "L", "XL", "XXL"], None),
    ("CAP", "Trail running cap", ["BLACK", "WHITE", "SAND", "BLUE", "RED"], None),
    ("BAR-MUE", "Muesli bar 6-pack", ["APRICOT", "CHOC", "BERRY", "NUT", "HONEY"], 12),
    ("HEADLAMP", "LED headlamp", ["200LM", "350LM", "500LM", "RED", "KIDS"], None),
    ("GLOVE", "Merino liner gloves", ["XS", "S", "M", "L", "XL"], None),
    ("DRYBAG", "Dry bag", ["5L", "10L", "20L", "35L", "55L"], None),
    ("SPORK", "Titanium spork", ["NATURAL", "BLUE", "PURPLE", "GOLD", "LONG"], None),
]


def _products() -> list[DemoProduct]:
    rows = []
    for prefix, name, variants, case_units in _LINES:
        for index, variant in enumerate(variants):
            # Only the first two variants of a line come in cases, as a shop would stock them.
            case = case_units if index < 2 else None
            tracking = "BATCH" if prefix == "BAR-MUE" else "NONE"
            rows.append(DemoProduct(f"{prefix}-{variant}", f"{name}, {variant.lower()}", tracking, case))
    return rows


DEMO_LOCATIONS = _locations()
DEMO_PRODUCTS = _products()
# A made-up GS1 company prefix: demo barcodes are well formed but belong to no real product.
DEMO_COMPANY_PREFIX = "9421901"
