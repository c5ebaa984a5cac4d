/**
 * Field names of a GS1 reading in the JSON result: the twin of app/domain/barcodes/results.py.
 */

export const NAMED_FIELDS = {
  "00": "sscc",
  "01": "gtin",
  "02": "content_gtin",
  "10": "batch",
  "11": "production_date",
  "12": "due_date",
  "13": "packaging_date",
  "15": "best_before",
  "16": "sell_by",
  "17": "expiry",
  "20": "variant",
  "21": "serial",
  "30": "count",
  "37": "content_count",
  "90": "internal",
  "240": "additional_id",
  "241": "customer_part_number",
  "400": "customer_order_number",
  "410": "ship_to_gln",
  "414": "location_gln",
  "8004": "giai",
};

export const MEASURE_FIELDS = {
  "310": "net_weight_kg",
  "311": "length_m",
  "312": "width_m",
  "313": "height_m",
  "314": "area_m2",
  "315": "net_volume_l",
  "316": "net_volume_m3",
  "320": "net_weight_lb",
  "330": "gross_weight_kg",
  "335": "gross_volume_l",
  "336": "gross_volume_m3",
  "340": "gross_weight_lb",
};
