"""UN/ECE Recommendation 20 unit codes → Odoo's standard units of measure."""

UNECE_TO_UOM_XMLID = {
    "C62": "uom.product_uom_unit",  # one
    "H87": "uom.product_uom_unit",  # piece
    "EA": "uom.product_uom_unit",  # each (Rec 20 rev. 4 and cXML)
    "XPP": "uom.product_uom_unit",  # piece, package code
    "DZN": "uom.product_uom_dozen",
    "KGM": "uom.product_uom_kgm",
    "GRM": "uom.product_uom_gram",
    "TNE": "uom.product_uom_ton",
    "LBR": "uom.product_uom_lb",
    "ONZ": "uom.product_uom_oz",
    "LTR": "uom.product_uom_litre",
    "GLL": "uom.product_uom_gal",
    "MTR": "uom.product_uom_meter",
    "CMT": "uom.product_uom_cm",
    "MMT": "uom.product_uom_millimeter",
    "KMT": "uom.product_uom_km",
    "INH": "uom.product_uom_inch",
    "FOT": "uom.product_uom_foot",
    "YRD": "uom.product_uom_yard",
    "FTK": "uom.uom_square_foot",
    "HUR": "uom.product_uom_hour",
    "DAY": "uom.product_uom_day",
    "MTK": "uom.uom_square_meter",
    "MTQ": "uom.product_uom_cubic_meter",
}


def uom_xmlid(code):
    """:return: the Odoo uom xmlid of a Rec 20 code (case-insensitive), or None."""
    return UNECE_TO_UOM_XMLID.get((code or "C62").strip().upper())
