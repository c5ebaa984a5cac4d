/**
 * Barcode interpretation for the handheld: the twin of the server's app/domain/barcodes.
 *
 * interpret(raw, settings) reads one scan as the scanner typed it. It returns a plain object in
 * the same JSON shape as the server's POST /api/v1/barcodes/interpret, of kind "gtin", "sscc",
 * "gs1" or "code". A scan that cannot be read gives kind "error" with a code and a message.
 * The rules, codes and messages match the server's; tests/barcode_vectors.json is run against
 * both and any difference fails. See app/domain/barcodes/interpret.py for the reading rules in
 * prose (which data is a GTIN, which is GS1, which is a plain code).
 *
 * Plain ES module, no dependencies. The GS1 application identifier table below is copied from
 * the biip library (5.x) that the server uses; a unit test checks that the copy matches.
 */

export const GS = "\x1d";
export const MAX_SCAN_LENGTH = 4000;

export const ErrorCode = Object.freeze({
  EMPTY_SCAN: "empty_scan",
  KEYBOARD_LAYOUT: "keyboard_layout",
  MULTIPLE_VALUES: "multiple_values",
  INVALID_CHARACTER: "invalid_character",
  SEPARATOR_MISSING: "separator_missing",
  UNKNOWN_AI: "unknown_ai",
  INVALID_FORMAT: "invalid_format",
  INVALID_CHECK_DIGIT: "invalid_check_digit",
  INVALID_DATE: "invalid_date",
  CONFLICTING_AI: "conflicting_ai",
  INVALID_HRI: "invalid_hri",
  INVALID_SETTINGS: "invalid_settings",
  TOO_LONG: "too_long",
});

// [ai, data title, separator required, format, pattern]
// BEGIN AI TABLE
export const AI_TABLE = [
  ["00", "SSCC", false, "N2+N18", "^00(\\d{18})$"],
  ["01", "GTIN", false, "N2+N14", "^01(\\d{14})$"],
  ["02", "CONTENT", false, "N2+N14", "^02(\\d{14})$"],
  ["03", "MTO GTIN", false, "N2+N14", "^03(\\d{14})$"],
  ["10", "BATCH/LOT", true, "N2+X..20", "^10([!%-?A-Z_a-z\\x22]{1,20})$"],
  ["11", "PROD DATE", false, "N2+N6", "^11(\\d{2}(?:0\\d|1[0-2])(?:[0-2]\\d|3[01]))$"],
  ["12", "DUE DATE", false, "N2+N6", "^12(\\d{2}(?:0\\d|1[0-2])(?:[0-2]\\d|3[01]))$"],
  ["13", "PACK DATE", false, "N2+N6", "^13(\\d{2}(?:0\\d|1[0-2])(?:[0-2]\\d|3[01]))$"],
  ["15", "BEST BEFORE or BEST BY", false, "N2+N6", "^15(\\d{2}(?:0\\d|1[0-2])(?:[0-2]\\d|3[01]))$"],
  ["16", "SELL BY", false, "N2+N6", "^16(\\d{2}(?:0\\d|1[0-2])(?:[0-2]\\d|3[01]))$"],
  ["17", "USE BY or EXPIRY", false, "N2+N6", "^17(\\d{2}(?:0\\d|1[0-2])(?:[0-2]\\d|3[01]))$"],
  ["20", "VARIANT", false, "N2+N2", "^20(\\d{2})$"],
  ["21", "SERIAL", true, "N2+X..20", "^21([!%-?A-Z_a-z\\x22]{1,20})$"],
  ["22", "CPV", true, "N2+X..20", "^22([!%-?A-Z_a-z\\x22]{1,20})$"],
  ["235", "TPX", true, "N3+X..28", "^235([!%-?A-Z_a-z\\x22]{1,28})$"],
  ["240", "ADDITIONAL ID", true, "N3+X..30", "^240([!%-?A-Z_a-z\\x22]{1,30})$"],
  ["241", "CUST. PART No.", true, "N3+X..30", "^241([!%-?A-Z_a-z\\x22]{1,30})$"],
  ["242", "MTO VARIANT", true, "N3+N..6", "^242(\\d{1,6})$"],
  ["243", "PCN", true, "N3+X..20", "^243([!%-?A-Z_a-z\\x22]{1,20})$"],
  ["250", "SECONDARY SERIAL", true, "N3+X..30", "^250([!%-?A-Z_a-z\\x22]{1,30})$"],
  ["251", "REF. TO SOURCE", true, "N3+X..30", "^251([!%-?A-Z_a-z\\x22]{1,30})$"],
  ["253", "GDTI", true, "N3+N13[+X..17]", "^253(\\d{13})([!%-?A-Z_a-z\\x22]{0,17})$"],
  ["254", "GLN EXTENSION COMPONENT", true, "N3+X..20", "^254([!%-?A-Z_a-z\\x22]{1,20})$"],
  ["255", "GCN", true, "N3+N13[+N..12]", "^255(\\d{13})(\\d{0,12})$"],
  ["30", "VAR. COUNT", true, "N2+N..8", "^30(\\d{0,8})$"],
  ["3100", "NET WEIGHT (kg)", false, "N4+N6", "^3100(\\d{6})$"],
  ["3101", "NET WEIGHT (kg)", false, "N4+N6", "^3101(\\d{6})$"],
  ["3102", "NET WEIGHT (kg)", false, "N4+N6", "^3102(\\d{6})$"],
  ["3103", "NET WEIGHT (kg)", false, "N4+N6", "^3103(\\d{6})$"],
  ["3104", "NET WEIGHT (kg)", false, "N4+N6", "^3104(\\d{6})$"],
  ["3105", "NET WEIGHT (kg)", false, "N4+N6", "^3105(\\d{6})$"],
  ["3110", "LENGTH (m)", false, "N4+N6", "^3110(\\d{6})$"],
  ["3111", "LENGTH (m)", false, "N4+N6", "^3111(\\d{6})$"],
  ["3112", "LENGTH (m)", false, "N4+N6", "^3112(\\d{6})$"],
  ["3113", "LENGTH (m)", false, "N4+N6", "^3113(\\d{6})$"],
  ["3114", "LENGTH (m)", false, "N4+N6", "^3114(\\d{6})$"],
  ["3115", "LENGTH (m)", false, "N4+N6", "^3115(\\d{6})$"],
  ["3120", "WIDTH (m)", false, "N4+N6", "^3120(\\d{6})$"],
  ["3121", "WIDTH (m)", false, "N4+N6", "^3121(\\d{6})$"],
  ["3122", "WIDTH (m)", false, "N4+N6", "^3122(\\d{6})$"],
  ["3123", "WIDTH (m)", false, "N4+N6", "^3123(\\d{6})$"],
  ["3124", "WIDTH (m)", false, "N4+N6", "^3124(\\d{6})$"],
  ["3125", "WIDTH (m)", false, "N4+N6", "^3125(\\d{6})$"],
  ["3130", "HEIGHT (m)", false, "N4+N6", "^3130(\\d{6})$"],
  ["3131", "HEIGHT (m)", false, "N4+N6", "^3131(\\d{6})$"],
  ["3132", "HEIGHT (m)", false, "N4+N6", "^3132(\\d{6})$"],
  ["3133", "HEIGHT (m)", false, "N4+N6", "^3133(\\d{6})$"],
  ["3134", "HEIGHT (m)", false, "N4+N6", "^3134(\\d{6})$"],
  ["3135", "HEIGHT (m)", false, "N4+N6", "^3135(\\d{6})$"],
  ["3140", "AREA (m\u00b2)", false, "N4+N6", "^3140(\\d{6})$"],
  ["3141", "AREA (m\u00b2)", false, "N4+N6", "^3141(\\d{6})$"],
  ["3142", "AREA (m\u00b2)", false, "N4+N6", "^3142(\\d{6})$"],
  ["3143", "AREA (m\u00b2)", false, "N4+N6", "^3143(\\d{6})$"],
  ["3144", "AREA (m\u00b2)", false, "N4+N6", "^3144(\\d{6})$"],
  ["3145", "AREA (m\u00b2)", false, "N4+N6", "^3145(\\d{6})$"],
  ["3150", "NET VOLUME (l)", false, "N4+N6", "^3150(\\d{6})$"],
  ["3151", "NET VOLUME (l)", false, "N4+N6", "^3151(\\d{6})$"],
  ["3152", "NET VOLUME (l)", false, "N4+N6", "^3152(\\d{6})$"],
  ["3153", "NET VOLUME (l)", false, "N4+N6", "^3153(\\d{6})$"],
  ["3154", "NET VOLUME (l)", false, "N4+N6", "^3154(\\d{6})$"],
  ["3155", "NET VOLUME (l)", false, "N4+N6", "^3155(\\d{6})$"],
  ["3160", "NET VOLUME (m\u00b3)", false, "N4+N6", "^3160(\\d{6})$"],
  ["3161", "NET VOLUME (m\u00b3)", false, "N4+N6", "^3161(\\d{6})$"],
  ["3162", "NET VOLUME (m\u00b3)", false, "N4+N6", "^3162(\\d{6})$"],
  ["3163", "NET VOLUME (m\u00b3)", false, "N4+N6", "^3163(\\d{6})$"],
  ["3164", "NET VOLUME (m\u00b3)", false, "N4+N6", "^3164(\\d{6})$"],
  ["3165", "NET VOLUME (m\u00b3)", false, "N4+N6", "^3165(\\d{6})$"],
  ["3200", "NET WEIGHT (lb)", false, "N4+N6", "^3200(\\d{6})$"],
  ["3201", "NET WEIGHT (lb)", false, "N4+N6", "^3201(\\d{6})$"],
  ["3202", "NET WEIGHT (lb)", false, "N4+N6", "^3202(\\d{6})$"],
  ["3203", "NET WEIGHT (lb)", false, "N4+N6", "^3203(\\d{6})$"],
  ["3204", "NET WEIGHT (lb)", false, "N4+N6", "^3204(\\d{6})$"],
  ["3205", "NET WEIGHT (lb)", false, "N4+N6", "^3205(\\d{6})$"],
  ["3210", "LENGTH (in)", false, "N4+N6", "^3210(\\d{6})$"],
  ["3211", "LENGTH (in)", false, "N4+N6", "^3211(\\d{6})$"],
  ["3212", "LENGTH (in)", false, "N4+N6", "^3212(\\d{6})$"],
  ["3213", "LENGTH (in)", false, "N4+N6", "^3213(\\d{6})$"],
  ["3214", "LENGTH (in)", false, "N4+N6", "^3214(\\d{6})$"],
  ["3215", "LENGTH (in)", false, "N4+N6", "^3215(\\d{6})$"],
  ["3220", "LENGTH (ft)", false, "N4+N6", "^3220(\\d{6})$"],
  ["3221", "LENGTH (ft)", false, "N4+N6", "^3221(\\d{6})$"],
  ["3222", "LENGTH (ft)", false, "N4+N6", "^3222(\\d{6})$"],
  ["3223", "LENGTH (ft)", false, "N4+N6", "^3223(\\d{6})$"],
  ["3224", "LENGTH (ft)", false, "N4+N6", "^3224(\\d{6})$"],
  ["3225", "LENGTH (ft)", false, "N4+N6", "^3225(\\d{6})$"],
  ["3230", "LENGTH (yd)", false, "N4+N6", "^3230(\\d{6})$"],
  ["3231", "LENGTH (yd)", false, "N4+N6", "^3231(\\d{6})$"],
  ["3232", "LENGTH (yd)", false, "N4+N6", "^3232(\\d{6})$"],
  ["3233", "LENGTH (yd)", false, "N4+N6", "^3233(\\d{6})$"],
  ["3234", "LENGTH (yd)", false, "N4+N6", "^3234(\\d{6})$"],
  ["3235", "LENGTH (yd)", false, "N4+N6", "^3235(\\d{6})$"],
  ["3240", "WIDTH (in)", false, "N4+N6", "^3240(\\d{6})$"],
  ["3241", "WIDTH (in)", false, "N4+N6", "^3241(\\d{6})$"],
  ["3242", "WIDTH (in)", false, "N4+N6", "^3242(\\d{6})$"],
  ["3243", "WIDTH (in)", false, "N4+N6", "^3243(\\d{6})$"],
  ["3244", "WIDTH (in)", false, "N4+N6", "^3244(\\d{6})$"],
  ["3245", "WIDTH (in)", false, "N4+N6", "^3245(\\d{6})$"],
  ["3250", "WIDTH (ft)", false, "N4+N6", "^3250(\\d{6})$"],
  ["3251", "WIDTH (ft)", false, "N4+N6", "^3251(\\d{6})$"],
  ["3252", "WIDTH (ft)", false, "N4+N6", "^3252(\\d{6})$"],
  ["3253", "WIDTH (ft)", false, "N4+N6", "^3253(\\d{6})$"],
  ["3254", "WIDTH (ft)", false, "N4+N6", "^3254(\\d{6})$"],
  ["3255", "WIDTH (ft)", false, "N4+N6", "^3255(\\d{6})$"],
  ["3260", "WIDTH (yd)", false, "N4+N6", "^3260(\\d{6})$"],
  ["3261", "WIDTH (yd)", false, "N4+N6", "^3261(\\d{6})$"],
  ["3262", "WIDTH (yd)", false, "N4+N6", "^3262(\\d{6})$"],
  ["3263", "WIDTH (yd)", false, "N4+N6", "^3263(\\d{6})$"],
  ["3264", "WIDTH (yd)", false, "N4+N6", "^3264(\\d{6})$"],
  ["3265", "WIDTH (yd)", false, "N4+N6", "^3265(\\d{6})$"],
  ["3270", "HEIGHT (in)", false, "N4+N6", "^3270(\\d{6})$"],
  ["3271", "HEIGHT (in)", false, "N4+N6", "^3271(\\d{6})$"],
  ["3272", "HEIGHT (in)", false, "N4+N6", "^3272(\\d{6})$"],
  ["3273", "HEIGHT (in)", false, "N4+N6", "^3273(\\d{6})$"],
  ["3274", "HEIGHT (in)", false, "N4+N6", "^3274(\\d{6})$"],
  ["3275", "HEIGHT (in)", false, "N4+N6", "^3275(\\d{6})$"],
  ["3280", "HEIGHT (ft)", false, "N4+N6", "^3280(\\d{6})$"],
  ["3281", "HEIGHT (ft)", false, "N4+N6", "^3281(\\d{6})$"],
  ["3282", "HEIGHT (ft)", false, "N4+N6", "^3282(\\d{6})$"],
  ["3283", "HEIGHT (ft)", false, "N4+N6", "^3283(\\d{6})$"],
  ["3284", "HEIGHT (ft)", false, "N4+N6", "^3284(\\d{6})$"],
  ["3285", "HEIGHT (ft)", false, "N4+N6", "^3285(\\d{6})$"],
  ["3290", "HEIGHT (yd)", false, "N4+N6", "^3290(\\d{6})$"],
  ["3291", "HEIGHT (yd)", false, "N4+N6", "^3291(\\d{6})$"],
  ["3292", "HEIGHT (yd)", false, "N4+N6", "^3292(\\d{6})$"],
  ["3293", "HEIGHT (yd)", false, "N4+N6", "^3293(\\d{6})$"],
  ["3294", "HEIGHT (yd)", false, "N4+N6", "^3294(\\d{6})$"],
  ["3295", "HEIGHT (yd)", false, "N4+N6", "^3295(\\d{6})$"],
  ["3300", "GROSS WEIGHT (kg)", false, "N4+N6", "^3300(\\d{6})$"],
  ["3301", "GROSS WEIGHT (kg)", false, "N4+N6", "^3301(\\d{6})$"],
  ["3302", "GROSS WEIGHT (kg)", false, "N4+N6", "^3302(\\d{6})$"],
  ["3303", "GROSS WEIGHT (kg)", false, "N4+N6", "^3303(\\d{6})$"],
  ["3304", "GROSS WEIGHT (kg)", false, "N4+N6", "^3304(\\d{6})$"],
  ["3305", "GROSS WEIGHT (kg)", false, "N4+N6", "^3305(\\d{6})$"],
  ["3310", "LENGTH (m), log", false, "N4+N6", "^3310(\\d{6})$"],
  ["3311", "LENGTH (m), log", false, "N4+N6", "^3311(\\d{6})$"],
  ["3312", "LENGTH (m), log", false, "N4+N6", "^3312(\\d{6})$"],
  ["3313", "LENGTH (m), log", false, "N4+N6", "^3313(\\d{6})$"],
  ["3314", "LENGTH (m), log", false, "N4+N6", "^3314(\\d{6})$"],
  ["3315", "LENGTH (m), log", false, "N4+N6", "^3315(\\d{6})$"],
  ["3320", "WIDTH (m), log", false, "N4+N6", "^3320(\\d{6})$"],
  ["3321", "WIDTH (m), log", false, "N4+N6", "^3321(\\d{6})$"],
  ["3322", "WIDTH (m), log", false, "N4+N6", "^3322(\\d{6})$"],
  ["3323", "WIDTH (m), log", false, "N4+N6", "^3323(\\d{6})$"],
  ["3324", "WIDTH (m), log", false, "N4+N6", "^3324(\\d{6})$"],
  ["3325", "WIDTH (m), log", false, "N4+N6", "^3325(\\d{6})$"],
  ["3330", "HEIGHT (m), log", false, "N4+N6", "^3330(\\d{6})$"],
  ["3331", "HEIGHT (m), log", false, "N4+N6", "^3331(\\d{6})$"],
  ["3332", "HEIGHT (m), log", false, "N4+N6", "^3332(\\d{6})$"],
  ["3333", "HEIGHT (m), log", false, "N4+N6", "^3333(\\d{6})$"],
  ["3334", "HEIGHT (m), log", false, "N4+N6", "^3334(\\d{6})$"],
  ["3335", "HEIGHT (m), log", false, "N4+N6", "^3335(\\d{6})$"],
  ["3340", "AREA (m\u00b2), log", false, "N4+N6", "^3340(\\d{6})$"],
  ["3341", "AREA (m\u00b2), log", false, "N4+N6", "^3341(\\d{6})$"],
  ["3342", "AREA (m\u00b2), log", false, "N4+N6", "^3342(\\d{6})$"],
  ["3343", "AREA (m\u00b2), log", false, "N4+N6", "^3343(\\d{6})$"],
  ["3344", "AREA (m\u00b2), log", false, "N4+N6", "^3344(\\d{6})$"],
  ["3345", "AREA (m\u00b2), log", false, "N4+N6", "^3345(\\d{6})$"],
  ["3350", "VOLUME (l), log", false, "N4+N6", "^3350(\\d{6})$"],
  ["3351", "VOLUME (l), log", false, "N4+N6", "^3351(\\d{6})$"],
  ["3352", "VOLUME (l), log", false, "N4+N6", "^3352(\\d{6})$"],
  ["3353", "VOLUME (l), log", false, "N4+N6", "^3353(\\d{6})$"],
  ["3354", "VOLUME (l), log", false, "N4+N6", "^3354(\\d{6})$"],
  ["3355", "VOLUME (l), log", false, "N4+N6", "^3355(\\d{6})$"],
  ["3360", "VOLUME (m\u00b3), log", false, "N4+N6", "^3360(\\d{6})$"],
  ["3361", "VOLUME (m\u00b3), log", false, "N4+N6", "^3361(\\d{6})$"],
  ["3362", "VOLUME (m\u00b3), log", false, "N4+N6", "^3362(\\d{6})$"],
  ["3363", "VOLUME (m\u00b3), log", false, "N4+N6", "^3363(\\d{6})$"],
  ["3364", "VOLUME (m\u00b3), log", false, "N4+N6", "^3364(\\d{6})$"],
  ["3365", "VOLUME (m\u00b3), log", false, "N4+N6", "^3365(\\d{6})$"],
  ["3370", "KG PER m\u00b2", false, "N4+N6", "^3370(\\d{6})$"],
  ["3371", "KG PER m\u00b2", false, "N4+N6", "^3371(\\d{6})$"],
  ["3372", "KG PER m\u00b2", false, "N4+N6", "^3372(\\d{6})$"],
  ["3373", "KG PER m\u00b2", false, "N4+N6", "^3373(\\d{6})$"],
  ["3374", "KG PER m\u00b2", false, "N4+N6", "^3374(\\d{6})$"],
  ["3375", "KG PER m\u00b2", false, "N4+N6", "^3375(\\d{6})$"],
  ["3400", "GROSS WEIGHT (lb)", false, "N4+N6", "^3400(\\d{6})$"],
  ["3401", "GROSS WEIGHT (lb)", false, "N4+N6", "^3401(\\d{6})$"],
  ["3402", "GROSS WEIGHT (lb)", false, "N4+N6", "^3402(\\d{6})$"],
  ["3403", "GROSS WEIGHT (lb)", false, "N4+N6", "^3403(\\d{6})$"],
  ["3404", "GROSS WEIGHT (lb)", false, "N4+N6", "^3404(\\d{6})$"],
  ["3405", "GROSS WEIGHT (lb)", false, "N4+N6", "^3405(\\d{6})$"],
  ["3410", "LENGTH (in), log", false, "N4+N6", "^3410(\\d{6})$"],
  ["3411", "LENGTH (in), log", false, "N4+N6", "^3411(\\d{6})$"],
  ["3412", "LENGTH (in), log", false, "N4+N6", "^3412(\\d{6})$"],
  ["3413", "LENGTH (in), log", false, "N4+N6", "^3413(\\d{6})$"],
  ["3414", "LENGTH (in), log", false, "N4+N6", "^3414(\\d{6})$"],
  ["3415", "LENGTH (in), log", false, "N4+N6", "^3415(\\d{6})$"],
  ["3420", "LENGTH (ft), log", false, "N4+N6", "^3420(\\d{6})$"],
  ["3421", "LENGTH (ft), log", false, "N4+N6", "^3421(\\d{6})$"],
  ["3422", "LENGTH (ft), log", false, "N4+N6", "^3422(\\d{6})$"],
  ["3423", "LENGTH (ft), log", false, "N4+N6", "^3423(\\d{6})$"],
  ["3424", "LENGTH (ft), log", false, "N4+N6", "^3424(\\d{6})$"],
  ["3425", "LENGTH (ft), log", false, "N4+N6", "^3425(\\d{6})$"],
  ["3430", "LENGTH (yd), log", false, "N4+N6", "^3430(\\d{6})$"],
  ["3431", "LENGTH (yd), log", false, "N4+N6", "^3431(\\d{6})$"],
  ["3432", "LENGTH (yd), log", false, "N4+N6", "^3432(\\d{6})$"],
  ["3433", "LENGTH (yd), log", false, "N4+N6", "^3433(\\d{6})$"],
  ["3434", "LENGTH (yd), log", false, "N4+N6", "^3434(\\d{6})$"],
  ["3435", "LENGTH (yd), log", false, "N4+N6", "^3435(\\d{6})$"],
  ["3440", "WIDTH (in), log", false, "N4+N6", "^3440(\\d{6})$"],
  ["3441", "WIDTH (in), log", false, "N4+N6", "^3441(\\d{6})$"],
  ["3442", "WIDTH (in), log", false, "N4+N6", "^3442(\\d{6})$"],
  ["3443", "WIDTH (in), log", false, "N4+N6", "^3443(\\d{6})$"],
  ["3444", "WIDTH (in), log", false, "N4+N6", "^3444(\\d{6})$"],
  ["3445", "WIDTH (in), log", false, "N4+N6", "^3445(\\d{6})$"],
  ["3450", "WIDTH (ft), log", false, "N4+N6", "^3450(\\d{6})$"],
  ["3451", "WIDTH (ft), log", false, "N4+N6", "^3451(\\d{6})$"],
  ["3452", "WIDTH (ft), log", false, "N4+N6", "^3452(\\d{6})$"],
  ["3453", "WIDTH (ft), log", false, "N4+N6", "^3453(\\d{6})$"],
  ["3454", "WIDTH (ft), log", false, "N4+N6", "^3454(\\d{6})$"],
  ["3455", "WIDTH (ft), log", false, "N4+N6", "^3455(\\d{6})$"],
  ["3460", "WIDTH (yd), log", false, "N4+N6", "^3460(\\d{6})$"],
  ["3461", "WIDTH (yd), log", false, "N4+N6", "^3461(\\d{6})$"],
  ["3462", "WIDTH (yd), log", false, "N4+N6", "^3462(\\d{6})$"],
  ["3463", "WIDTH (yd), log", false, "N4+N6", "^3463(\\d{6})$"],
  ["3464", "WIDTH (yd), log", false, "N4+N6", "^3464(\\d{6})$"],
  ["3465", "WIDTH (yd), log", false, "N4+N6", "^3465(\\d{6})$"],
  ["3470", "HEIGHT (in), log", false, "N4+N6", "^3470(\\d{6})$"],
  ["3471", "HEIGHT (in), log", false, "N4+N6", "^3471(\\d{6})$"],
  ["3472", "HEIGHT (in), log", false, "N4+N6", "^3472(\\d{6})$"],
  ["3473", "HEIGHT (in), log", false, "N4+N6", "^3473(\\d{6})$"],
  ["3474", "HEIGHT (in), log", false, "N4+N6", "^3474(\\d{6})$"],
  ["3475", "HEIGHT (in), log", false, "N4+N6", "^3475(\\d{6})$"],
  ["3480", "HEIGHT (ft), log", false, "N4+N6", "^3480(\\d{6})$"],
  ["3481", "HEIGHT (ft), log", false, "N4+N6", "^3481(\\d{6})$"],
  ["3482", "HEIGHT (ft), log", false, "N4+N6", "^3482(\\d{6})$"],
  ["3483", "HEIGHT (ft), log", false, "N4+N6", "^3483(\\d{6})$"],
  ["3484", "HEIGHT (ft), log", false, "N4+N6", "^3484(\\d{6})$"],
  ["3485", "HEIGHT (ft), log", false, "N4+N6", "^3485(\\d{6})$"],
  ["3490", "HEIGHT (yd), log", false, "N4+N6", "^3490(\\d{6})$"],
  ["3491", "HEIGHT (yd), log", false, "N4+N6", "^3491(\\d{6})$"],
  ["3492", "HEIGHT (yd), log", false, "N4+N6", "^3492(\\d{6})$"],
  ["3493", "HEIGHT (yd), log", false, "N4+N6", "^3493(\\d{6})$"],
  ["3494", "HEIGHT (yd), log", false, "N4+N6", "^3494(\\d{6})$"],
  ["3495", "HEIGHT (yd), log", false, "N4+N6", "^3495(\\d{6})$"],
  ["3500", "AREA (in\u00b2)", false, "N4+N6", "^3500(\\d{6})$"],
  ["3501", "AREA (in\u00b2)", false, "N4+N6", "^3501(\\d{6})$"],
  ["3502", "AREA (in\u00b2)", false, "N4+N6", "^3502(\\d{6})$"],
  ["3503", "AREA (in\u00b2)", false, "N4+N6", "^3503(\\d{6})$"],
  ["3504", "AREA (in\u00b2)", false, "N4+N6", "^3504(\\d{6})$"],
  ["3505", "AREA (in\u00b2)", false, "N4+N6", "^3505(\\d{6})$"],
  ["3510", "AREA (ft\u00b2)", false, "N4+N6", "^3510(\\d{6})$"],
  ["3511", "AREA (ft\u00b2)", false, "N4+N6", "^3511(\\d{6})$"],
  ["3512", "AREA (ft\u00b2)", false, "N4+N6", "^3512(\\d{6})$"],
  ["3513", "AREA (ft\u00b2)", false, "N4+N6", "^3513(\\d{6})$"],
  ["3514", "AREA (ft\u00b2)", false, "N4+N6", "^3514(\\d{6})$"],
  ["3515", "AREA (ft\u00b2)", false, "N4+N6", "^3515(\\d{6})$"],
  ["3520", "AREA (yd\u00b2)", false, "N4+N6", "^3520(\\d{6})$"],
  ["3521", "AREA (yd\u00b2)", false, "N4+N6", "^3521(\\d{6})$"],
  ["3522", "AREA (yd\u00b2)", false, "N4+N6", "^3522(\\d{6})$"],
  ["3523", "AREA (yd\u00b2)", false, "N4+N6", "^3523(\\d{6})$"],
  ["3524", "AREA (yd\u00b2)", false, "N4+N6", "^3524(\\d{6})$"],
  ["3525", "AREA (yd\u00b2)", false, "N4+N6", "^3525(\\d{6})$"],
  ["3530", "AREA (in\u00b2), log", false, "N4+N6", "^3530(\\d{6})$"],
  ["3531", "AREA (in\u00b2), log", false, "N4+N6", "^3531(\\d{6})$"],
  ["3532", "AREA (in\u00b2), log", false, "N4+N6", "^3532(\\d{6})$"],
  ["3533", "AREA (in\u00b2), log", false, "N4+N6", "^3533(\\d{6})$"],
  ["3534", "AREA (in\u00b2), log", false, "N4+N6", "^3534(\\d{6})$"],
  ["3535", "AREA (in\u00b2), log", false, "N4+N6", "^3535(\\d{6})$"],
  ["3540", "AREA (ft\u00b2), log", false, "N4+N6", "^3540(\\d{6})$"],
  ["3541", "AREA (ft\u00b2), log", false, "N4+N6", "^3541(\\d{6})$"],
  ["3542", "AREA (ft\u00b2), log", false, "N4+N6", "^3542(\\d{6})$"],
  ["3543", "AREA (ft\u00b2), log", false, "N4+N6", "^3543(\\d{6})$"],
  ["3544", "AREA (ft\u00b2), log", false, "N4+N6", "^3544(\\d{6})$"],
  ["3545", "AREA (ft\u00b2), log", false, "N4+N6", "^3545(\\d{6})$"],
  ["3550", "AREA (yd\u00b2), log", false, "N4+N6", "^3550(\\d{6})$"],
  ["3551", "AREA (yd\u00b2), log", false, "N4+N6", "^3551(\\d{6})$"],
  ["3552", "AREA (yd\u00b2), log", false, "N4+N6", "^3552(\\d{6})$"],
  ["3553", "AREA (yd\u00b2), log", false, "N4+N6", "^3553(\\d{6})$"],
  ["3554", "AREA (yd\u00b2), log", false, "N4+N6", "^3554(\\d{6})$"],
  ["3555", "AREA (yd\u00b2), log", false, "N4+N6", "^3555(\\d{6})$"],
  ["3560", "NET WEIGHT (troy oz)", false, "N4+N6", "^3560(\\d{6})$"],
  ["3561", "NET WEIGHT (troy oz)", false, "N4+N6", "^3561(\\d{6})$"],
  ["3562", "NET WEIGHT (troy oz)", false, "N4+N6", "^3562(\\d{6})$"],
  ["3563", "NET WEIGHT (troy oz)", false, "N4+N6", "^3563(\\d{6})$"],
  ["3564", "NET WEIGHT (troy oz)", false, "N4+N6", "^3564(\\d{6})$"],
  ["3565", "NET WEIGHT (troy oz)", false, "N4+N6", "^3565(\\d{6})$"],
  ["3570", "NET VOLUME (oz)", false, "N4+N6", "^3570(\\d{6})$"],
  ["3571", "NET VOLUME (oz)", false, "N4+N6", "^3571(\\d{6})$"],
  ["3572", "NET VOLUME (oz)", false, "N4+N6", "^3572(\\d{6})$"],
  ["3573", "NET VOLUME (oz)", false, "N4+N6", "^3573(\\d{6})$"],
  ["3574", "NET VOLUME (oz)", false, "N4+N6", "^3574(\\d{6})$"],
  ["3575", "NET VOLUME (oz)", false, "N4+N6", "^3575(\\d{6})$"],
  ["3600", "NET VOLUME (qt)", false, "N4+N6", "^3600(\\d{6})$"],
  ["3601", "NET VOLUME (qt)", false, "N4+N6", "^3601(\\d{6})$"],
  ["3602", "NET VOLUME (qt)", false, "N4+N6", "^3602(\\d{6})$"],
  ["3603", "NET VOLUME (qt)", false, "N4+N6", "^3603(\\d{6})$"],
  ["3604", "NET VOLUME (qt)", false, "N4+N6", "^3604(\\d{6})$"],
  ["3605", "NET VOLUME (qt)", false, "N4+N6", "^3605(\\d{6})$"],
  ["3610", "NET VOLUME (gal.)", false, "N4+N6", "^3610(\\d{6})$"],
  ["3611", "NET VOLUME (gal.)", false, "N4+N6", "^3611(\\d{6})$"],
  ["3612", "NET VOLUME (gal.)", false, "N4+N6", "^3612(\\d{6})$"],
  ["3613", "NET VOLUME (gal.)", false, "N4+N6", "^3613(\\d{6})$"],
  ["3614", "NET VOLUME (gal.)", false, "N4+N6", "^3614(\\d{6})$"],
  ["3615", "NET VOLUME (gal.)", false, "N4+N6", "^3615(\\d{6})$"],
  ["3620", "VOLUME (qt), log", false, "N4+N6", "^3620(\\d{6})$"],
  ["3621", "VOLUME (qt), log", false, "N4+N6", "^3621(\\d{6})$"],
  ["3622", "VOLUME (qt), log", false, "N4+N6", "^3622(\\d{6})$"],
  ["3623", "VOLUME (qt), log", false, "N4+N6", "^3623(\\d{6})$"],
  ["3624", "VOLUME (qt), log", false, "N4+N6", "^3624(\\d{6})$"],
  ["3625", "VOLUME (qt), log", false, "N4+N6", "^3625(\\d{6})$"],
  ["3630", "VOLUME (gal.), log", false, "N4+N6", "^3630(\\d{6})$"],
  ["3631", "VOLUME (gal.), log", false, "N4+N6", "^3631(\\d{6})$"],
  ["3632", "VOLUME (gal.), log", false, "N4+N6", "^3632(\\d{6})$"],
  ["3633", "VOLUME (gal.), log", false, "N4+N6", "^3633(\\d{6})$"],
  ["3634", "VOLUME (gal.), log", false, "N4+N6", "^3634(\\d{6})$"],
  ["3635", "VOLUME (gal.), log", false, "N4+N6", "^3635(\\d{6})$"],
  ["3640", "NET VOLUME (in\u00b3)", false, "N4+N6", "^3640(\\d{6})$"],
  ["3641", "NET VOLUME (in\u00b3)", false, "N4+N6", "^3641(\\d{6})$"],
  ["3642", "NET VOLUME (in\u00b3)", false, "N4+N6", "^3642(\\d{6})$"],
  ["3643", "NET VOLUME (in\u00b3)", false, "N4+N6", "^3643(\\d{6})$"],
  ["3644", "NET VOLUME (in\u00b3)", false, "N4+N6", "^3644(\\d{6})$"],
  ["3645", "NET VOLUME (in\u00b3)", false, "N4+N6", "^3645(\\d{6})$"],
  ["3650", "NET VOLUME (ft\u00b3)", false, "N4+N6", "^3650(\\d{6})$"],
  ["3651", "NET VOLUME (ft\u00b3)", false, "N4+N6", "^3651(\\d{6})$"],
  ["3652", "NET VOLUME (ft\u00b3)", false, "N4+N6", "^3652(\\d{6})$"],
  ["3653", "NET VOLUME (ft\u00b3)", false, "N4+N6", "^3653(\\d{6})$"],
  ["3654", "NET VOLUME (ft\u00b3)", false, "N4+N6", "^3654(\\d{6})$"],
  ["3655", "NET VOLUME (ft\u00b3)", false, "N4+N6", "^3655(\\d{6})$"],
  ["3660", "NET VOLUME (yd\u00b3)", false, "N4+N6", "^3660(\\d{6})$"],
  ["3661", "NET VOLUME (yd\u00b3)", false, "N4+N6", "^3661(\\d{6})$"],
  ["3662", "NET VOLUME (yd\u00b3)", false, "N4+N6", "^3662(\\d{6})$"],
  ["3663", "NET VOLUME (yd\u00b3)", false, "N4+N6", "^3663(\\d{6})$"],
  ["3664", "NET VOLUME (yd\u00b3)", false, "N4+N6", "^3664(\\d{6})$"],
  ["3665", "NET VOLUME (yd\u00b3)", false, "N4+N6", "^3665(\\d{6})$"],
  ["3670", "VOLUME (in\u00b3), log", false, "N4+N6", "^3670(\\d{6})$"],
  ["3671", "VOLUME (in\u00b3), log", false, "N4+N6", "^3671(\\d{6})$"],
  ["3672", "VOLUME (in\u00b3), log", false, "N4+N6", "^3672(\\d{6})$"],
  ["3673", "VOLUME (in\u00b3), log", false, "N4+N6", "^3673(\\d{6})$"],
  ["3674", "VOLUME (in\u00b3), log", false, "N4+N6", "^3674(\\d{6})$"],
  ["3675", "VOLUME (in\u00b3), log", false, "N4+N6", "^3675(\\d{6})$"],
  ["3680", "VOLUME (ft\u00b3), log", false, "N4+N6", "^3680(\\d{6})$"],
  ["3681", "VOLUME (ft\u00b3), log", false, "N4+N6", "^3681(\\d{6})$"],
  ["3682", "VOLUME (ft\u00b3), log", false, "N4+N6", "^3682(\\d{6})$"],
  ["3683", "VOLUME (ft\u00b3), log", false, "N4+N6", "^3683(\\d{6})$"],
  ["3684", "VOLUME (ft\u00b3), log", false, "N4+N6", "^3684(\\d{6})$"],
  ["3685", "VOLUME (ft\u00b3), log", false, "N4+N6", "^3685(\\d{6})$"],
  ["3690", "VOLUME (yd\u00b3), log", false, "N4+N6", "^3690(\\d{6})$"],
  ["3691", "VOLUME (yd\u00b3), log", false, "N4+N6", "^3691(\\d{6})$"],
  ["3692", "VOLUME (yd\u00b3), log", false, "N4+N6", "^3692(\\d{6})$"],
  ["3693", "VOLUME (yd\u00b3), log", false, "N4+N6", "^3693(\\d{6})$"],
  ["3694", "VOLUME (yd\u00b3), log", false, "N4+N6", "^3694(\\d{6})$"],
  ["3695", "VOLUME (yd\u00b3), log", false, "N4+N6", "^3695(\\d{6})$"],
  ["37", "COUNT", true, "N2+N..8", "^37(\\d{1,8})$"],
  ["3900", "AMOUNT", true, "N4+N..15", "^3900(\\d{1,15})$"],
  ["3901", "AMOUNT", true, "N4+N..15", "^3901(\\d{1,15})$"],
  ["3902", "AMOUNT", true, "N4+N..15", "^3902(\\d{1,15})$"],
  ["3903", "AMOUNT", true, "N4+N..15", "^3903(\\d{1,15})$"],
  ["3904", "AMOUNT", true, "N4+N..15", "^3904(\\d{1,15})$"],
  ["3905", "AMOUNT", true, "N4+N..15", "^3905(\\d{1,15})$"],
  ["3906", "AMOUNT", true, "N4+N..15", "^3906(\\d{1,15})$"],
  ["3907", "AMOUNT", true, "N4+N..15", "^3907(\\d{1,15})$"],
  ["3908", "AMOUNT", true, "N4+N..15", "^3908(\\d{1,15})$"],
  ["3909", "AMOUNT", true, "N4+N..15", "^3909(\\d{1,15})$"],
  ["3910", "AMOUNT", true, "N4+N3+N..15", "^3910(\\d{3})(\\d{1,15})$"],
  ["3911", "AMOUNT", true, "N4+N3+N..15", "^3911(\\d{3})(\\d{1,15})$"],
  ["3912", "AMOUNT", true, "N4+N3+N..15", "^3912(\\d{3})(\\d{1,15})$"],
  ["3913", "AMOUNT", true, "N4+N3+N..15", "^3913(\\d{3})(\\d{1,15})$"],
  ["3914", "AMOUNT", true, "N4+N3+N..15", "^3914(\\d{3})(\\d{1,15})$"],
  ["3915", "AMOUNT", true, "N4+N3+N..15", "^3915(\\d{3})(\\d{1,15})$"],
  ["3916", "AMOUNT", true, "N4+N3+N..15", "^3916(\\d{3})(\\d{1,15})$"],
  ["3917", "AMOUNT", true, "N4+N3+N..15", "^3917(\\d{3})(\\d{1,15})$"],
  ["3918", "AMOUNT", true, "N4+N3+N..15", "^3918(\\d{3})(\\d{1,15})$"],
  ["3919", "AMOUNT", true, "N4+N3+N..15", "^3919(\\d{3})(\\d{1,15})$"],
  ["3920", "PRICE", true, "N4+N..15", "^3920(\\d{1,15})$"],
  ["3921", "PRICE", true, "N4+N..15", "^3921(\\d{1,15})$"],
  ["3922", "PRICE", true, "N4+N..15", "^3922(\\d{1,15})$"],
  ["3923", "PRICE", true, "N4+N..15", "^3923(\\d{1,15})$"],
  ["3924", "PRICE", true, "N4+N..15", "^3924(\\d{1,15})$"],
  ["3925", "PRICE", true, "N4+N..15", "^3925(\\d{1,15})$"],
  ["3926", "PRICE", true, "N4+N..15", "^3926(\\d{1,15})$"],
  ["3927", "PRICE", true, "N4+N..15", "^3927(\\d{1,15})$"],
  ["3928", "PRICE", true, "N4+N..15", "^3928(\\d{1,15})$"],
  ["3929", "PRICE", true, "N4+N..15", "^3929(\\d{1,15})$"],
  ["3930", "PRICE", true, "N4+N3+N..15", "^3930(\\d{3})(\\d{1,15})$"],
  ["3931", "PRICE", true, "N4+N3+N..15", "^3931(\\d{3})(\\d{1,15})$"],
  ["3932", "PRICE", true, "N4+N3+N..15", "^3932(\\d{3})(\\d{1,15})$"],
  ["3933", "PRICE", true, "N4+N3+N..15", "^3933(\\d{3})(\\d{1,15})$"],
  ["3934", "PRICE", true, "N4+N3+N..15", "^3934(\\d{3})(\\d{1,15})$"],
  ["3935", "PRICE", true, "N4+N3+N..15", "^3935(\\d{3})(\\d{1,15})$"],
  ["3936", "PRICE", true, "N4+N3+N..15", "^3936(\\d{3})(\\d{1,15})$"],
  ["3937", "PRICE", true, "N4+N3+N..15", "^3937(\\d{3})(\\d{1,15})$"],
  ["3938", "PRICE", true, "N4+N3+N..15", "^3938(\\d{3})(\\d{1,15})$"],
  ["3939", "PRICE", true, "N4+N3+N..15", "^3939(\\d{3})(\\d{1,15})$"],
  ["3940", "PRCNT OFF", true, "N4+N4", "^3940(\\d{4})$"],
  ["3941", "PRCNT OFF", true, "N4+N4", "^3941(\\d{4})$"],
  ["3942", "PRCNT OFF", true, "N4+N4", "^3942(\\d{4})$"],
  ["3943", "PRCNT OFF", true, "N4+N4", "^3943(\\d{4})$"],
  ["3950", "PRICE/UoM", true, "N4+N6", "^3950(\\d{6})$"],
  ["3951", "PRICE/UoM", true, "N4+N6", "^3951(\\d{6})$"],
  ["3952", "PRICE/UoM", true, "N4+N6", "^3952(\\d{6})$"],
  ["3953", "PRICE/UoM", true, "N4+N6", "^3953(\\d{6})$"],
  ["3954", "PRICE/UoM", true, "N4+N6", "^3954(\\d{6})$"],
  ["3955", "PRICE/UoM", true, "N4+N6", "^3955(\\d{6})$"],
  ["400", "ORDER NUMBER", true, "N3+X..30", "^400([!%-?A-Z_a-z\\x22]{1,30})$"],
  ["401", "GINC", true, "N3+X..30", "^401([!%-?A-Z_a-z\\x22]{1,30})$"],
  ["402", "GSIN", true, "N3+N17", "^402(\\d{17})$"],
  ["403", "ROUTE", true, "N3+X..30", "^403([!%-?A-Z_a-z\\x22]{1,30})$"],
  ["410", "SHIP TO LOC", false, "N3+N13", "^410(\\d{13})$"],
  ["411", "BILL TO", false, "N3+N13", "^411(\\d{13})$"],
  ["412", "PURCHASE FROM", false, "N3+N13", "^412(\\d{13})$"],
  ["413", "SHIP FOR LOC", false, "N3+N13", "^413(\\d{13})$"],
  ["414", "LOC No.", false, "N3+N13", "^414(\\d{13})$"],
  ["415", "PAY TO", false, "N3+N13", "^415(\\d{13})$"],
  ["416", "PROD/SERV LOC", false, "N3+N13", "^416(\\d{13})$"],
  ["417", "PARTY", false, "N3+N13", "^417(\\d{13})$"],
  ["420", "SHIP TO POST", true, "N3+X..20", "^420([!%-?A-Z_a-z\\x22]{1,20})$"],
  ["421", "SHIP TO POST", true, "N3+N3+X..9", "^421(\\d{3})([!%-?A-Z_a-z\\x22]{1,9})$"],
  ["422", "ORIGIN", true, "N3+N3", "^422(\\d{3})$"],
  ["423", "COUNTRY - INITIAL PROCESS", true, "N3+N3+N..12", "^423((?:\\d{3}){1,5})$"],
  ["424", "COUNTRY - PROCESS", true, "N3+N3", "^424(\\d{3})$"],
  ["425", "COUNTRY - DISASSEMBLY", true, "N3+N3+N..12", "^425((?:\\d{3}){1,5})$"],
  ["426", "COUNTRY - FULL PROCESS", true, "N3+N3", "^426(\\d{3})$"],
  ["427", "ORIGIN SUBDIVISION", true, "N3+X..3", "^427([!%-?A-Z_a-z\\x22]{1,3})$"],
  ["4300", "SHIP TO COMP", true, "N4+X..35", "^4300((?:[!%-?A-Z_a-z\\x22]|%[0-9A-Fa-f][0-9A-Fa-f]%[0-9A-Fa-f][0-9A-Fa-f]){1,35})$"],
  ["4301", "SHIP TO NAME", true, "N4+X..35", "^4301((?:[!%-?A-Z_a-z\\x22]|%[0-9A-Fa-f][0-9A-Fa-f]%[0-9A-Fa-f][0-9A-Fa-f]){1,35})$"],
  ["4302", "SHIP TO ADD1", true, "N4+X..70", "^4302((?:[!%-?A-Z_a-z\\x22]|%[0-9A-Fa-f][0-9A-Fa-f]%[0-9A-Fa-f][0-9A-Fa-f]){1,70})$"],
  ["4303", "SHIP TO ADD2", true, "N4+X..70", "^4303((?:[!%-?A-Z_a-z\\x22]|%[0-9A-Fa-f][0-9A-Fa-f]%[0-9A-Fa-f][0-9A-Fa-f]){1,70})$"],
  ["4304", "SHIP TO SUB", true, "N4+X..70", "^4304((?:[!%-?A-Z_a-z\\x22]|%[0-9A-Fa-f][0-9A-Fa-f]%[0-9A-Fa-f][0-9A-Fa-f]){1,70})$"],
  ["4305", "SHIP TO LOC", true, "N4+X..70", "^4305((?:[!%-?A-Z_a-z\\x22]|%[0-9A-Fa-f][0-9A-Fa-f]%[0-9A-Fa-f][0-9A-Fa-f]){1,70})$"],
  ["4306", "SHIP TO REG", true, "N4+X..70", "^4306((?:[!%-?A-Z_a-z\\x22]|%[0-9A-Fa-f][0-9A-Fa-f]%[0-9A-Fa-f][0-9A-Fa-f]){1,70})$"],
  ["4307", "SHIP TO COUNTRY", true, "N4+X2", "^4307([A-Z0-9]{2})$"],
  ["4308", "SHIP TO PHONE", true, "N4+X..30", "^4308([!%-?A-Z_a-z\\x22]{1,30})$"],
  ["4309", "SHIP TO GEO", true, "N4+N20", "^4309(\\d{20})$"],
  ["4310", "RTN TO COMP", true, "N4+X..35", "^4310((?:[!%-?A-Z_a-z\\x22]|%[0-9A-Fa-f][0-9A-Fa-f]%[0-9A-Fa-f][0-9A-Fa-f]){1,35})$"],
  ["4311", "RTN TO NAME", true, "N4+X..35", "^4311((?:[!%-?A-Z_a-z\\x22]|%[0-9A-Fa-f][0-9A-Fa-f]%[0-9A-Fa-f][0-9A-Fa-f]){1,35})$"],
  ["4312", "RTN TO ADD1", true, "N4+X..70", "^4312((?:[!%-?A-Z_a-z\\x22]|%[0-9A-Fa-f][0-9A-Fa-f]%[0-9A-Fa-f][0-9A-Fa-f]){1,70})$"],
  ["4313", "RTN TO ADD2", true, "N4+X..70", "^4313((?:[!%-?A-Z_a-z\\x22]|%[0-9A-Fa-f][0-9A-Fa-f]%[0-9A-Fa-f][0-9A-Fa-f]){1,70})$"],
  ["4314", "RTN TO SUB", true, "N4+X..70", "^4314((?:[!%-?A-Z_a-z\\x22]|%[0-9A-Fa-f][0-9A-Fa-f]%[0-9A-Fa-f][0-9A-Fa-f]){1,70})$"],
  ["4315", "RTN TO LOC", true, "N4+X..70", "^4315((?:[!%-?A-Z_a-z\\x22]|%[0-9A-Fa-f][0-9A-Fa-f]%[0-9A-Fa-f][0-9A-Fa-f]){1,70})$"],
  ["4316", "RTN TO REG", true, "N4+X..70", "^4316((?:[!%-?A-Z_a-z\\x22]|%[0-9A-Fa-f][0-9A-Fa-f]%[0-9A-Fa-f][0-9A-Fa-f]){1,70})$"],
  ["4317", "RTN TO COUNTRY", true, "N4+X2", "^4317([A-Z0-9]{2})$"],
  ["4318", "RTN TO POST", true, "N4+X..20", "^4318([!%-?A-Z_a-z\\x22]{1,20})$"],
  ["4319", "RTN TO PHONE", true, "N4+X..30", "^4319([!%-?A-Z_a-z\\x22]{1,30})$"],
  ["4320", "SRV DESCRIPTION", true, "N4+X..35", "^4320((?:[!%-?A-Z_a-z\\x22]|%[0-9A-Fa-f][0-9A-Fa-f]%[0-9A-Fa-f][0-9A-Fa-f]){1,35})$"],
  ["4321", "DANGEROUS GOODS", true, "N4+N1", "^4321([01])$"],
  ["4322", "AUTH LEAVE", true, "N4+N1", "^4322([01])$"],
  ["4323", "SIG REQUIRED", true, "N4+N1", "^4323([01])$"],
  ["4324", "NBEF DEL DT", true, "N4+N10", "^4324(\\d{10})$"],
  ["4325", "NAFT DEL DT", true, "N4+N10", "^4325(\\d{10})$"],
  ["4326", "REL DATE", true, "N4+N6", "^4326(\\d{6})$"],
  ["4330", "MAX TEMP F", true, "N4+N6+[-]", "^4330(\\d{6}[-]?)$"],
  ["4331", "MAX TEMP C", true, "N4+N6+[-]", "^4331(\\d{6}[-]?)$"],
  ["4332", "MIN TEMP F", true, "N4+N6+[-]", "^4332(\\d{6}[-]?)$"],
  ["4333", "MIN TEMP C", true, "N4+N6+[-]", "^4333(\\d{6}[-]?)$"],
  ["7001", "NSN", true, "N4+N13", "^7001(\\d{13})$"],
  ["7002", "MEAT CUT", true, "N4+X..30", "^7002([!%-?A-Z_a-z\\x22]{1,30})$"],
  ["7003", "EXPIRY TIME", true, "N4+N10", "^7003(\\d{10})$"],
  ["7004", "ACTIVE POTENCY", true, "N4+N..4", "^7004(\\d{0,4})$"],
  ["7005", "CATCH AREA", true, "N4+X..12", "^7005([!%-?A-Z_a-z\\x22]{1,12})$"],
  ["7006", "FIRST FREEZE DATE", true, "N4+N6", "^7006(\\d{6})$"],
  ["7007", "HARVEST DATE", true, "N4+N6[+N6]", "^7007(\\d{6})(\\d{6})?$"],
  ["7008", "AQUATIC SPECIES", true, "N4+X..3", "^7008([!%-?A-Z_a-z\\x22]{1,3})$"],
  ["7009", "FISHING GEAR TYPE", true, "N4+X..10", "^7009([!%-?A-Z_a-z\\x22]{1,10})$"],
  ["7010", "PROD METHOD", true, "N4+X..2", "^7010([!%-?A-Z_a-z\\x22]{1,2})$"],
  ["7011", "TEST BY DATE", true, "N4+N6[+N4]", "^7011(\\d{6})(\\d{4})?$"],
  ["7020", "REFURB LOT", true, "N4+X..20", "^7020([!%-?A-Z_a-z\\x22]{1,20})$"],
  ["7021", "FUNC STAT", true, "N4+X..20", "^7021([!%-?A-Z_a-z\\x22]{1,20})$"],
  ["7022", "REV STAT", true, "N4+X..20", "^7022([!%-?A-Z_a-z\\x22]{1,20})$"],
  ["7023", "GIAI - ASSEMBLY", true, "N4+X..30", "^7023([!%-?A-Z_a-z\\x22]{1,30})$"],
  ["7030", "PROCESSOR # 0", true, "N4+N3+X..27", "^7030(\\d{3})([!%-?A-Z_a-z\\x22]{1,27})$"],
  ["7031", "PROCESSOR # 1", true, "N4+N3+X..27", "^7031(\\d{3})([!%-?A-Z_a-z\\x22]{1,27})$"],
  ["7032", "PROCESSOR # 2", true, "N4+N3+X..27", "^7032(\\d{3})([!%-?A-Z_a-z\\x22]{1,27})$"],
  ["7033", "PROCESSOR # 3", true, "N4+N3+X..27", "^7033(\\d{3})([!%-?A-Z_a-z\\x22]{1,27})$"],
  ["7034", "PROCESSOR # 4", true, "N4+N3+X..27", "^7034(\\d{3})([!%-?A-Z_a-z\\x22]{1,27})$"],
  ["7035", "PROCESSOR # 5", true, "N4+N3+X..27", "^7035(\\d{3})([!%-?A-Z_a-z\\x22]{1,27})$"],
  ["7036", "PROCESSOR # 6", true, "N4+N3+X..27", "^7036(\\d{3})([!%-?A-Z_a-z\\x22]{1,27})$"],
  ["7037", "PROCESSOR # 7", true, "N4+N3+X..27", "^7037(\\d{3})([!%-?A-Z_a-z\\x22]{1,27})$"],
  ["7038", "PROCESSOR # 8", true, "N4+N3+X..27", "^7038(\\d{3})([!%-?A-Z_a-z\\x22]{1,27})$"],
  ["7039", "PROCESSOR # 9", true, "N4+N3+X..27", "^7039(\\d{3})([!%-?A-Z_a-z\\x22]{1,27})$"],
  ["7040", "UIC+EXT", true, "N4+N1+X3", "^7040(\\d)([!%-?A-Z_a-z\\x22])([!%-?A-Z_a-z\\x22])([!%-?A-Z_a-z\\x22])$"],
  ["7041", "UFRGT UNIT TYPE", true, "N4+X..4", "^7041([!%-?A-Z_a-z\\x22]{1,4})$"],
  ["710", "NHRN PZN", true, "N3+X..20", "^710([!%-?A-Z_a-z\\x22]{1,20})$"],
  ["711", "NHRN CIP", true, "N3+X..20", "^711([!%-?A-Z_a-z\\x22]{1,20})$"],
  ["712", "NHRN CN", true, "N3+X..20", "^712([!%-?A-Z_a-z\\x22]{1,20})$"],
  ["713", "NHRN DRN", true, "N3+X..20", "^713([!%-?A-Z_a-z\\x22]{1,20})$"],
  ["714", "NHRN AIM", true, "N3+X..20", "^714([!%-?A-Z_a-z\\x22]{1,20})$"],
  ["715", "NHRN NDC", true, "N3+X..20", "^715([!%-?A-Z_a-z\\x22]{1,20})$"],
  ["716", "NHRN AIC", true, "N3+X..20", "^716([!%-?A-Z_a-z\\x22]{1,20})$"],
  ["717", "NHRN SRN", true, "N3+X..20", "^717([!%-?A-Z_a-z\\x22]{1,20})$"],
  ["7230", "CERT # 0", true, "N4+X2+X..28", "^7230([!%-?A-Z_a-z\\x22]{3,30})$"],
  ["7231", "CERT # 1", true, "N4+X2+X..28", "^7231([!%-?A-Z_a-z\\x22]{3,30})$"],
  ["7232", "CERT # 2", true, "N4+X2+X..28", "^7232([!%-?A-Z_a-z\\x22]{3,30})$"],
  ["7233", "CERT # 3", true, "N4+X2+X..28", "^7233([!%-?A-Z_a-z\\x22]{3,30})$"],
  ["7234", "CERT # 4", true, "N4+X2+X..28", "^7234([!%-?A-Z_a-z\\x22]{3,30})$"],
  ["7235", "CERT # 5", true, "N4+X2+X..28", "^7235([!%-?A-Z_a-z\\x22]{3,30})$"],
  ["7236", "CERT # 6", true, "N4+X2+X..28", "^7236([!%-?A-Z_a-z\\x22]{3,30})$"],
  ["7237", "CERT # 7", true, "N4+X2+X..28", "^7237([!%-?A-Z_a-z\\x22]{3,30})$"],
  ["7238", "CERT # 8", true, "N4+X2+X..28", "^7238([!%-?A-Z_a-z\\x22]{3,30})$"],
  ["7239", "CERT # 9", true, "N4+X2+X..28", "^7239([!%-?A-Z_a-z\\x22]{3,30})$"],
  ["7240", "PROTOCOL", true, "N4+X..20", "^7240([!%-?A-Z_a-z\\x22]{1,20})$"],
  ["7241", "AIDC MEDIA TYPE", true, "N4+N2", "^7241(\\d{2})$"],
  ["7242", "VCN", true, "N4+X..25", "^7242([!%-?A-Z_a-z\\x22]{1,25})$"],
  ["7250", "DOB", true, "N4+N8", "^7250(\\d{4}(?:0\\d|1[0-2])(?:[0-2]\\d|3[01]))$"],
  ["7251", "DOB TIME", true, "N4+N12", "^7251(\\d{4}(?:0\\d|1[0-2])(?:[0-2]\\d|3[01])(?:[01]\\d|2[0-3])(?:[0-5]\\d))$"],
  ["7252", "BIO SEX", true, "N4+N1", "^7252(\\d{1})$"],
  ["7253", "FAMILY NAME", true, "N4+X..40", "^7253((?:[!%-?A-Z_a-z\\x22]|%[0-9A-Fa-f][0-9A-Fa-f]%[0-9A-Fa-f][0-9A-Fa-f]){1,40})$"],
  ["7254", "GIVEN NAME", true, "N4+X..40", "^7254((?:[!%-?A-Z_a-z\\x22]|%[0-9A-Fa-f][0-9A-Fa-f]%[0-9A-Fa-f][0-9A-Fa-f]){1,40})$"],
  ["7255", "SUFFIX", true, "N4+X..10", "^7255((?:[!%-?A-Z_a-z\\x22]|%[0-9A-Fa-f][0-9A-Fa-f]%[0-9A-Fa-f][0-9A-Fa-f]){1,10})$"],
  ["7256", "FULL NAME", true, "N4+X..90", "^7256((?:[!%-?A-Z_a-z\\x22]|%[0-9A-Fa-f][0-9A-Fa-f]%[0-9A-Fa-f][0-9A-Fa-f]){1,90})$"],
  ["7257", "PERSON ADDR", true, "N4+X..70", "^7257((?:[!%-?A-Z_a-z\\x22]|%[0-9A-Fa-f][0-9A-Fa-f]%[0-9A-Fa-f][0-9A-Fa-f]){1,70})$"],
  ["7258", "BIRTH SEQUENCE", true, "N4+N1+X1+N1", "^7258(\\d[/]\\d)$"],
  ["7259", "BABY", true, "N4+X..40", "^7259((?:[!%-?A-Z_a-z\\x22]|%[0-9A-Fa-f][0-9A-Fa-f]%[0-9A-Fa-f][0-9A-Fa-f]){1,40})$"],
  ["8001", "DIMENSIONS", true, "N4+N14", "^8001(\\d{4})(\\d{5})(\\d{3})(\\d{1})(\\d{1})$"],
  ["8002", "CMT No.", true, "N4+X..20", "^8002([!%-?A-Z_a-z\\x22]{1,20})$"],
  ["8003", "GRAI", true, "N4+N14[+X..16]", "^8003(0)(\\d{13})([!%-?A-Z_a-z\\x22]{0,16})$"],
  ["8004", "GIAI", true, "N4+X..30", "^8004([!%-?A-Z_a-z\\x22]{1,30})$"],
  ["8005", "PRICE PER UNIT", true, "N4+N6", "^8005(\\d{6})$"],
  ["8006", "ITIP", true, "N4+N14+N2+N2", "^8006(\\d{14})(\\d{4})$"],
  ["8007", "IBAN", true, "N4+X..34", "^8007([!%-?A-Z_a-z\\x22]{1,34})$"],
  ["8008", "PROD TIME", true, "N4+N8[+N..4]", "^8008(\\d{2}(?:0\\d|1[0-2])(?:[0-2]\\d|3[01])(?:[01]\\d|2[0-3]))((?:[0-5]\\d)(?:[0-5]\\d)?)?$"],
  ["8009", "OPTSEN", true, "N4+X..50", "^8009([!%-?A-Z_a-z\\x22]{1,50})$"],
  ["8010", "CPID", true, "N4+Y..30", "^8010([A-Z0-9/#-]{5,30})$"],
  ["8011", "CPID SERIAL", true, "N4+N..12", "^8011(\\d{1,12})$"],
  ["8012", "VERSION", true, "N4+X..20", "^8012([!%-?A-Z_a-z\\x22]{1,20})$"],
  ["8013", "GMN", true, "N4+X..25", "^8013([!%-?A-Z_a-z\\x22]{1,25})$"],
  ["8014", "MUDI", true, "N4+X..25", "^8014([!%-?A-Z_a-z\\x22]{1,25})$"],
  ["8017", "GSRN - PROVIDER", true, "N4+N18", "^8017(\\d{18})$"],
  ["8018", "GSRN - RECIPIENT", true, "N4+N18", "^8018(\\d{18})$"],
  ["8019", "SRIN", true, "N4+N..10", "^8019(\\d{1,10})$"],
  ["8020", "REF No.", true, "N4+X..25", "^8020([!%-?A-Z_a-z\\x22]{1,25})$"],
  ["8026", "ITIP CONTENT", true, "N4+N14+N2+N2", "^8026(\\d{14})(\\d{4})$"],
  ["8030", "DIGSIG", true, "N4+Z..90", "^8030([0-9A-Za-z_-]{1,90})$"],
  ["8040", "IMEI", true, "N4+N15", "^8040(\\d{15})$"],
  ["8041", "IMEI2", true, "N4+N15", "^8041(\\d{15})$"],
  ["8042", "ESIM", true, "N4+N32", "^8042(\\d{32})$"],
  ["8043", "PSIM", true, "N4+N18+[N1..N2]", "^8043(\\d{18,20})$"],
  ["8110", "", true, "N4+X..70", "^8110([!%-?A-Z_a-z\\x22]{1,70})$"],
  ["8111", "POINTS", true, "N4+N4", "^8111(\\d{4})$"],
  ["8112", "", true, "N4+X..70", "^8112([!%-?A-Z_a-z\\x22]{1,70})$"],
  ["8200", "PRODUCT URL", true, "N4+X..70", "^8200([!%-?A-Z_a-z\\x22]{1,70})$"],
  ["90", "INTERNAL", true, "N2+X..30", "^90([!%-?A-Z_a-z\\x22]{1,30})$"],
  ["91", "INTERNAL", true, "N2+X..90", "^91([!%-?A-Z_a-z\\x22]{1,90})$"],
  ["92", "INTERNAL", true, "N2+X..90", "^92([!%-?A-Z_a-z\\x22]{1,90})$"],
  ["93", "INTERNAL", true, "N2+X..90", "^93([!%-?A-Z_a-z\\x22]{1,90})$"],
  ["94", "INTERNAL", true, "N2+X..90", "^94([!%-?A-Z_a-z\\x22]{1,90})$"],
  ["95", "INTERNAL", true, "N2+X..90", "^95([!%-?A-Z_a-z\\x22]{1,90})$"],
  ["96", "INTERNAL", true, "N2+X..90", "^96([!%-?A-Z_a-z\\x22]{1,90})$"],
  ["97", "INTERNAL", true, "N2+X..90", "^97([!%-?A-Z_a-z\\x22]{1,90})$"],
  ["98", "INTERNAL", true, "N2+X..90", "^98([!%-?A-Z_a-z\\x22]{1,90})$"],
  ["99", "INTERNAL", true, "N2+X..90", "^99([!%-?A-Z_a-z\\x22]{1,90})$"]
];
// END AI TABLE

const AIS = AI_TABLE.map(([ai, title, separatorRequired, format, pattern]) => ({
  ai,
  title,
  separatorRequired,
  format,
  prefixPattern: new RegExp(pattern.replace(/\$$/, "")),
  fullPattern: new RegExp(pattern),
}));

const AI_NAMES = {
  "00": "SSCC",
  "01": "GTIN",
  "02": "content GTIN",
  "10": "batch",
  "11": "production date",
  "12": "due date",
  "13": "packaging date",
  "15": "best-before date",
  "16": "sell-by date",
  "17": "expiry date",
  "20": "variant",
  "21": "serial number",
  "30": "count",
  "37": "content count",
  "90": "internal data",
  "240": "additional product id",
  "241": "customer part number",
  "400": "customer order number",
  "410": "ship-to GLN",
  "414": "location GLN",
  "8003": "GRAI",
  "8004": "GIAI",
};

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

// AI -> [start, end] of the digits that end in a GS1 mod-10 check digit.
const CHECKED_KEYS = {
  "00": [0, 18], "01": [0, 14], "02": [0, 14], "03": [0, 14],
  "253": [0, 13], "255": [0, 13], "402": [0, 17],
  "410": [0, 13], "411": [0, 13], "412": [0, 13], "413": [0, 13],
  "414": [0, 13], "415": [0, 13], "416": [0, 13], "417": [0, 13],
  "8003": [0, 14], "8006": [0, 14], "8017": [0, 18], "8018": [0, 18], "8026": [0, 14],
};

const DATE_AIS = new Set(["11", "12", "13", "15", "16", "17", "7006"]);
const DATE_TIME_AIS = new Set(["7003", "4324", "4325", "4326", "7011", "8008"]);
const DATE_RANGE_AIS = new Set(["7007"]);
const UNKNOWN_TIME_AIS = new Set(["4324", "4325", "4326"]);

const ISO_SYMBOLOGY_LETTERS = new Set("ABCDEFGHIKLMNOPQRSTUXYZcdeopsz");
const GS1_MESSAGE_SYMBOLOGIES = new Set(["C1", "e0", "e1", "e2", "d2", "Q3", "J1"]);
const GTIN_SYMBOLOGIES = new Set(["E0", "E3", "E4", "I1"]);
const GTIN_NAMES = { 8: "EAN-8", 12: "UPC-A", 13: "EAN-13", 14: "GTIN-14" };
const DEFINITE_GS1_AIS = new Set(["00", "01", "02"]);
const CSET82_CHAR = /^[!%-?A-Z_a-z\x22]$/;
const DIGITS = /^[0-9]+$/;

class BarcodeError extends Error {
  constructor(code, message, elementIndex = null, firstAi = null) {
    super(message);
    this.code = code;
    this.elementIndex = elementIndex;
    this.firstAi = firstAi;
  }
}

const NAMED_CONTROLS = { "\x1d": "<GS>", "\r": "<CR>", "\n": "<LF>", "\t": "<TAB>", "\x1e": "<RS>", "\x04": "<EOT>", "\x1b": "<ESC>" };

/** Return text with control characters written out, such as <GS> or <U+0007>. */
export function visible(text) {
  let out = "";
  for (const char of text) {
    const code = char.codePointAt(0);
    if (char in NAMED_CONTROLS) out += NAMED_CONTROLS[char];
    else if (code < 0x20 || (code >= 0x7f && code < 0xa0)) out += `<U+${code.toString(16).toUpperCase().padStart(4, "0")}>`;
    else out += char;
  }
  return out;
}

function quote(text, limit = 60) {
  let shown = Array.from(visible(text));
  if (shown.length > limit) shown = [...shown.slice(0, limit - 3), "..."];
  return `'${shown.join("")}'`;
}

/** Return the GS1 mod-10 check digit for payload (the digits before the check digit). */
export function checkDigit(payload) {
  let total = 0;
  for (let index = 0; index < payload.length; index += 1) {
    const digit = Number(payload[payload.length - 1 - index]);
    total += digit * (index % 2 === 0 ? 3 : 1);
  }
  return (10 - (total % 10)) % 10;
}

function elementLabel(ai, title) {
  return `${AI_NAMES[ai] ?? title} (AI ${ai})`;
}

function lookupAi(text) {
  for (const entry of AIS) if (text.startsWith(entry.ai)) return entry;
  return null;
}

function stripChars(text, chars, { start = true, end = true } = {}) {
  let first = 0;
  let last = text.length;
  if (start) while (first < last && chars.includes(text[first])) first += 1;
  if (end) while (last > first && chars.includes(text[last - 1])) last -= 1;
  return text.slice(first, last);
}

// GS1 General Specifications 7.12: a two-digit year lies between 49 years ago and 50 years ahead.
function centuryYear(twoDigits) {
  const current = new Date().getUTCFullYear();
  const century = current - (current % 100);
  const difference = twoDigits - (current % 100);
  if (difference >= 51 && difference <= 99) return century - 100 + twoDigits;
  if (difference >= -99 && difference <= -50) return century + 100 + twoDigits;
  return century + twoDigits;
}

function daysInMonth(year, month) {
  return new Date(Date.UTC(year, month, 0)).getUTCDate();
}

function pad(number, width) {
  return String(number).padStart(width, "0");
}

// YYMMDD -> ISO date string; day 00 is the last day of the month. null when no calendar date.
function readDate(digits) {
  const year = centuryYear(Number(digits.slice(0, 2)));
  const month = Number(digits.slice(2, 4));
  let day = Number(digits.slice(4, 6));
  if (month < 1 || month > 12) return null;
  const lastDay = daysInMonth(year, month);
  if (day === 0) day = lastDay;
  if (day > lastDay) return null;
  return `${pad(year, 4)}-${pad(month, 2)}-${pad(day, 2)}`;
}

function validTime(digits, allowUnknown) {
  if (allowUnknown && digits.slice(0, 4) === "9999") return true;
  const limits = [23, 59, 59];
  for (let index = 0; index < digits.length; index += 2) {
    const pair = digits.slice(index, index + 2);
    if (pair.length !== 2 || Number(pair) > limits[index / 2]) return false;
  }
  return true;
}

function elementDate(ai, value) {
  if (DATE_AIS.has(ai)) {
    const parsed = readDate(value.slice(0, 6));
    return [parsed, parsed !== null];
  }
  if (DATE_TIME_AIS.has(ai)) {
    const parsed = readDate(value.slice(0, 6));
    return [parsed, parsed !== null && validTime(value.slice(6), UNKNOWN_TIME_AIS.has(ai))];
  }
  if (DATE_RANGE_AIS.has(ai)) {
    const first = readDate(value.slice(0, 6));
    const secondOk = value.length <= 6 || readDate(value.slice(6, 12)) !== null;
    return [first, first !== null && secondOk];
  }
  return [null, true];
}

// Measures and amounts carry their number of implied decimals in the AI's fourth digit.
function elementDecimal(ai, groups) {
  const measure = ["31", "32", "33", "34", "35", "36"].includes(ai.slice(0, 2));
  const amount = ["390", "391", "392", "393", "394"].includes(ai.slice(0, 3));
  if (!measure && !amount) return null;
  const value = groups[groups.length - 1];
  const decimals = Number(ai[3]);
  const units = value.slice(0, value.length - decimals);
  const fraction = value.slice(value.length - decimals);
  const whole = units.replace(/^0+/, "") || "0";
  return fraction ? `${whole}.${fraction}` : whole;
}

function buildElement(entry, groups) {
  const value = groups.join("");
  const [date] = elementDate(entry.ai, value);
  return {
    ai: entry.ai,
    title: entry.title,
    value,
    parts: groups,
    separatorRequired: entry.separatorRequired,
    date,
    decimal: elementDecimal(entry.ai, groups),
  };
}

function checkElement(element, index, firstAi) {
  const label = elementLabel(element.ai, element.title);
  const key = CHECKED_KEYS[element.ai];
  if (key) {
    const digits = element.value.slice(key[0], key[1]);
    const expected = checkDigit(digits.slice(0, -1));
    if (Number(digits[digits.length - 1]) !== expected) {
      throw new BarcodeError(
        ErrorCode.INVALID_CHECK_DIGIT,
        `${label} ${quote(element.value)} has an invalid check digit: it should be ${expected}, not ${digits[digits.length - 1]}; rescan`,
        index,
        firstAi,
      );
    }
  }
  const [, dateOk] = elementDate(element.ai, element.value);
  if (!dateOk) {
    throw new BarcodeError(ErrorCode.INVALID_DATE, `${label} ${quote(element.value)} is not a valid date: rescan`, index, firstAi);
  }
}

function formatOf(entry) {
  const plus = entry.format.indexOf("+");
  return plus >= 0 ? entry.format.slice(plus + 1) : entry.format;
}

function invalidFormat(entry, data, index, firstAi) {
  // biip's patterns for date AIs only accept months 01-12, so six digits that fail are a bad date.
  if (DATE_AIS.has(entry.ai) && /^[0-9]{6}$/.test(data.slice(0, 6))) {
    return new BarcodeError(
      ErrorCode.INVALID_DATE,
      `${elementLabel(entry.ai, entry.title)} ${quote(data.slice(0, 6))} is not a valid date: rescan`,
      index,
      firstAi,
    );
  }
  return new BarcodeError(
    ErrorCode.INVALID_FORMAT,
    `${elementLabel(entry.ai, entry.title)} has an invalid value ${quote(data)}: expected ${formatOf(entry)} (N = digit, X = character); rescan`,
    index,
    firstAi,
  );
}

function matchGroups(match) {
  return match.slice(1).filter((group) => group !== undefined);
}

/** Split GS1 data in machine form (separators as ASCII 29) into checked element strings. */
function readElementStrings(text) {
  const elements = [];
  let position = 0;
  let firstAi = null;
  while (position < text.length) {
    const rest = text.slice(position);
    const index = elements.length;
    const entry = lookupAi(rest);
    if (entry === null) {
      let after = "";
      if (elements.length) {
        const previous = elements[elements.length - 1];
        after = ` after ${elementLabel(previous.ai, previous.title)}`;
      }
      throw new BarcodeError(
        ErrorCode.UNKNOWN_AI,
        `unknown GS1 application identifier at ${quote(rest, 20)}${after}: rescan; if it repeats, the label is not valid GS1`,
        index,
        firstAi,
      );
    }
    if (firstAi === null) firstAi = entry.ai;
    const segment = rest.split(GS, 1)[0];
    const match = entry.prefixPattern.exec(segment);
    // biip's pattern for AI 30 accepts an empty count; GS1 requires at least one digit.
    if (!match || matchGroups(match).join("") === "") throw invalidFormat(entry, segment.slice(entry.ai.length), index, firstAi);
    const element = buildElement(entry, matchGroups(match));
    const consumed = entry.ai.length + element.value.length;
    const following = rest.slice(consumed);
    if (following && !following.startsWith(GS) && element.separatorRequired) {
      const label = elementLabel(element.ai, element.title);
      const char = Array.from(following)[0];
      if (CSET82_CHAR.test(char)) {
        throw new BarcodeError(
          ErrorCode.SEPARATOR_MISSING,
          `separator missing after ${label} ${quote(element.value)}: rescan, or check the scanner's FNC1 setting`,
          index,
          firstAi,
        );
      }
      throw new BarcodeError(
        ErrorCode.INVALID_CHARACTER,
        `${quote(char)} cannot follow ${label} ${quote(element.value)}: if the scanner sends ${quote(char)} for FNC1, ` +
          "set it as the separator in the scanner settings; otherwise check the scanner's keyboard layout",
        index,
        firstAi,
      );
    }
    checkElement(element, index, firstAi);
    elements.push(element);
    position += consumed;
    while (position < text.length && text[position] === GS) position += 1;
  }
  return elements;
}

/** Read the bracketed human-readable form, (01)05400000002649(10)L1, typed by hand. */
function readHri(text) {
  const matches = [...text.matchAll(/\((\d{2,4})\)/g)];
  if (!matches.length || matches[0].index !== 0) {
    throw new BarcodeError(
      ErrorCode.INVALID_HRI,
      `${quote(text)} is not in the bracketed form '(01)...(10)...': type each AI in brackets followed by its value`,
      0,
      null,
    );
  }
  const elements = [];
  let firstAi = null;
  matches.forEach((match, index) => {
    const number = match[1];
    const end = index + 1 < matches.length ? matches[index + 1].index : text.length;
    const data = stripChars(text.slice(match.index + match[0].length, end), " ");
    const entry = lookupAi(number);
    if (entry === null || entry.ai !== number) {
      throw new BarcodeError(
        ErrorCode.UNKNOWN_AI,
        `unknown GS1 application identifier (${number}): check the number in brackets`,
        index,
        firstAi,
      );
    }
    if (firstAi === null) firstAi = number;
    const full = entry.fullPattern.exec(number + data);
    if (!full || matchGroups(full).join("") === "") throw invalidFormat(entry, data, index, firstAi);
    const element = buildElement(entry, matchGroups(full));
    checkElement(element, index, firstAi);
    elements.push(element);
  });
  return elements;
}

// GS1 Digital Link: a URL whose path names a primary key, such as
// https://example.com/01/09506000134352/10/ABC1?17=270131. Query parameters that are not AI
// numbers are ignored; a URL without a primary key is a plain code.
const DIGITAL_LINK_PRIMARY_KEYS = new Set(["00", "01", "253", "255", "401", "402", "414", "417", "8003", "8004", "8006", "8010", "8013", "8017", "8018"]);
const URL_PATTERN = /^[Hh][Tt][Tt][Pp][Ss]?:\/\/[^/?#]+(\/[^?#]*)?(\?[^#]*)?(#.*)?$/;

// Each %XX becomes one character; malformed escapes stay as typed and fail the AI's format.
function percentDecode(value) {
  return value.replace(/%([0-9A-Fa-f]{2})/g, (_, hex) => String.fromCharCode(parseInt(hex, 16)));
}

function digitalLinkPairs(text) {
  const match = URL_PATTERN.exec(text);
  const segments = (match[1] ?? "").split("/").filter((segment) => segment !== "");
  const start = segments.findIndex((segment, index) => DIGITAL_LINK_PRIMARY_KEYS.has(segment) && index + 1 < segments.length);
  if (start < 0) return null;
  const path = segments.slice(start);
  if (path.length % 2) {
    throw new BarcodeError(
      ErrorCode.INVALID_FORMAT,
      `the GS1 Digital Link ${quote(text)} ends with ${quote(path[path.length - 1])} and no value: rescan`,
      Math.floor(path.length / 2),
      path[0],
    );
  }
  const pairs = [];
  for (let index = 0; index < path.length; index += 2) pairs.push([path[index], percentDecode(path[index + 1])]);
  const query = (match[2] ?? "").slice(1);
  for (const parameter of query.split("&")) {
    const equals = parameter.indexOf("=");
    const key = equals < 0 ? parameter : parameter.slice(0, equals);
    const value = equals < 0 ? "" : parameter.slice(equals + 1);
    if (/^[0-9]{2,4}$/.test(key)) pairs.push([key, percentDecode(value)]);
  }
  return pairs;
}

/** Read a GS1 Digital Link URI into checked element strings; null when it has no primary key. */
function readDigitalLink(text) {
  const pairs = digitalLinkPairs(text);
  if (pairs === null) return null;
  const firstAi = pairs[0][0];
  return pairs.map(([number, rawValue], index) => {
    const entry = lookupAi(number);
    if (entry === null || entry.ai !== number) {
      throw new BarcodeError(
        ErrorCode.UNKNOWN_AI,
        `unknown GS1 application identifier ${quote(number)} in the GS1 Digital Link: rescan`,
        index,
        firstAi,
      );
    }
    let value = rawValue;
    if (number === "01" && /^(?:[0-9]{8}|[0-9]{12,13})$/.test(value)) value = value.padStart(14, "0");
    const full = entry.fullPattern.exec(number + value);
    if (!full || matchGroups(full).join("") === "") throw invalidFormat(entry, value, index, firstAi);
    const element = buildElement(entry, matchGroups(full));
    checkElement(element, index, firstAi);
    return element;
  });
}

function checkSettings(settings) {
  if (settings.prefix.length > 20 || settings.suffix.length > 20) {
    throw new BarcodeError(ErrorCode.INVALID_SETTINGS, "the scanner prefix and suffix can be at most 20 characters: shorten them");
  }
  if (Array.from(settings.separator).length > 8 || /[A-Za-z0-9 ]/.test(settings.separator)) {
    throw new BarcodeError(
      ErrorCode.INVALID_SETTINGS,
      `the separator ${quote(settings.separator)} is not usable: choose up to 8 characters that are neither letters, digits nor spaces, such as '|'`,
    );
  }
}

function clean(raw, settings) {
  let text = stripChars(raw, "\r\n\t ");
  if (settings.suffix && text.endsWith(settings.suffix)) text = stripChars(text.slice(0, -settings.suffix.length), "\r\n\t ");
  if (settings.prefix && text.startsWith(settings.prefix)) text = text.slice(settings.prefix.length);
  let symbology = null;
  if (text.length >= 3 && text[0] === "]" && ISO_SYMBOLOGY_LETTERS.has(text[1]) && text[2] >= "!" && text[2] <= "~") {
    let length = 3;
    // System expansion identifiers (]Y) carry a count of further modifier characters.
    if (text[1] === "Y" && /[0-9]/.test(text[2])) length = 3 + Number(text[2]);
    symbology = text.slice(0, length);
    text = text.slice(length);
  }
  const leadingFnc1 = text.startsWith(GS);
  text = stripChars(text, GS, { end: false });
  if (settings.separator) text = text.split(settings.separator).join(GS);
  text = stripChars(text, GS, { start: false });
  return [text, symbology, leadingFnc1];
}

/**
 * Split what one trigger sent into its values, at CR, LF and TAB, dropping empty ones. A burst
 * such as "ITEM-001\nLOC-A1\n" gives two values: handle the first and warn about the rest.
 */
export function splitScans(raw) {
  return String(raw).split(/[\r\n\t]+/).filter((part) => stripChars(part, " ") !== "");
}

function checkCharacters(text) {
  for (const char of text) {
    if ("\r\n\t".includes(char)) {
      throw new BarcodeError(
        ErrorCode.MULTIPLE_VALUES,
        `the scan contains ${quote(char)} inside the data, so it holds more than one value: scan one barcode at a time`,
      );
    }
    const code = char.codePointAt(0);
    if ((code < 0x20 && char !== GS) || code > 0x7e) {
      throw new BarcodeError(
        ErrorCode.KEYBOARD_LAYOUT,
        `the scan contains ${quote(char)}, which no barcode contains: check that the scanner's keyboard layout matches the device's, then rescan`,
      );
    }
  }
}

function readGtin(digits, symbology, text) {
  const name = GTIN_NAMES[digits.length];
  const expected = checkDigit(digits.slice(0, -1));
  if (Number(digits[digits.length - 1]) !== expected) {
    throw new BarcodeError(
      ErrorCode.INVALID_CHECK_DIGIT,
      `${quote(digits)} is not a valid ${name}: its check digit should be ${expected}, not ${digits[digits.length - 1]}; rescan or type the code`,
    );
  }
  return { kind: "gtin", text, symbology, gtin: digits.padStart(14, "0") };
}

// The first 11 digits of the UPC-A that an 8-digit UPC-E stands for.
function expandUpcE(digits) {
  const numberSystem = digits[0];
  const middle = digits.slice(1, 7);
  const last = middle[5];
  let body;
  if ("012".includes(last)) body = middle.slice(0, 2) + last + "0000" + middle.slice(2, 5);
  else if (last === "3") body = middle.slice(0, 3) + "00000" + middle.slice(3, 5);
  else if (last === "4") body = middle.slice(0, 4) + "00000" + middle[4];
  else body = middle.slice(0, 5) + "0000" + last;
  return numberSystem + body;
}

function upcEValid(digits) {
  return "01".includes(digits[0]) && checkDigit(expandUpcE(digits)) === Number(digits[7]);
}

function readUpcE(digits, symbology, text) {
  if (!"01".includes(digits[0])) {
    throw new BarcodeError(ErrorCode.INVALID_FORMAT, `${quote(digits)} is not a UPC-E: it must start with 0 or 1; rescan`);
  }
  const expanded = expandUpcE(digits);
  const expected = checkDigit(expanded);
  if (Number(digits[7]) !== expected) {
    throw new BarcodeError(
      ErrorCode.INVALID_CHECK_DIGIT,
      `${quote(digits)} is not a valid UPC-E: its check digit should be ${expected}, not ${digits[7]}; rescan or type the code`,
    );
  }
  return { kind: "gtin", text, symbology, gtin: (expanded + expected).padStart(14, "0") };
}

function readHintedGtin(text, symbology) {
  if (symbology === "]E0" && DIGITS.test(text) && text.length === 8) return readUpcE(text, symbology, text);
  let digits = text;
  if (symbology === "]E3" && DIGITS.test(text) && [14, 15, 17, 18].includes(text.length)) {
    // EAN-13 or UPC-A followed by a 2- or 5-digit add-on; the add-on is not part of the GTIN.
    digits = [15, 18].includes(text.length) ? text.slice(0, 13) : text.slice(0, 12);
  }
  if (!DIGITS.test(digits) || !(digits.length in GTIN_NAMES)) {
    throw new BarcodeError(ErrorCode.INVALID_FORMAT, `${quote(text)} is not a GTIN: expected 8, 12, 13 or 14 digits; rescan`);
  }
  return readGtin(digits, symbology, text);
}

function buildGs1(text, elements, symbology) {
  const unique = [];
  const seen = new Map();
  for (const element of elements) {
    const earlier = seen.get(element.ai);
    if (earlier === undefined) {
      seen.set(element.ai, element);
      unique.push(element);
    } else if (earlier.value !== element.value) {
      throw new BarcodeError(
        ErrorCode.CONFLICTING_AI,
        `${elementLabel(element.ai, element.title)} appears twice with different values ${quote(earlier.value)} and ${quote(element.value)}: rescan`,
      );
    }
  }
  const result = { kind: "gs1", text, symbology };
  for (const element of unique) {
    const name = NAMED_FIELDS[element.ai];
    if (name !== undefined) {
      if (element.date !== null) result[name] = element.date;
      else if (element.ai === "30" || element.ai === "37") result[name] = Number(element.value);
      else result[name] = element.value;
    } else if (element.ai === "8003") {
      result.grai = element.value.slice(0, 14);
      if (element.value.length > 14) result.grai_serial = element.value.slice(14);
    }
    const measure = element.ai.length === 4 ? MEASURE_FIELDS[element.ai.slice(0, 3)] : undefined;
    if (measure !== undefined && element.decimal !== null) result[measure] = element.decimal;
  }
  result.ais = Object.fromEntries(unique.map((element) => [element.ai, element.value]));
  result.elements = unique.map((element) => {
    const item = { ai: element.ai, title: element.title, value: element.value, parts: element.parts };
    if (element.date !== null) item.date = element.date;
    if (element.decimal !== null) item.decimal = element.decimal;
    return item;
  });
  return result;
}

function readSscc(digits, symbology) {
  const expected = checkDigit(digits.slice(0, -1));
  if (Number(digits[digits.length - 1]) === expected) return { kind: "sscc", text: digits, symbology, sscc: digits };
  try {
    return buildGs1(digits, readElementStrings(digits), symbology);
  } catch (error) {
    if (!(error instanceof BarcodeError)) throw error;
    throw new BarcodeError(
      ErrorCode.INVALID_CHECK_DIGIT,
      `${quote(digits)} is not a valid SSCC: its check digit should be ${expected}, not ${digits[digits.length - 1]}; rescan`,
    );
  }
}

function read(raw, settings) {
  checkSettings(settings);
  if (Array.from(raw).length > MAX_SCAN_LENGTH) {
    throw new BarcodeError(ErrorCode.TOO_LONG, `the scan is longer than ${MAX_SCAN_LENGTH} characters: rescan one barcode`);
  }
  const [text, symbology, leadingFnc1] = clean(raw, settings);
  checkCharacters(text);
  if (!text) throw new BarcodeError(ErrorCode.EMPTY_SCAN, "the scan is empty: rescan");

  if (URL_PATTERN.test(text)) {
    const elements = readDigitalLink(text);
    return elements === null ? { kind: "code", text, symbology } : buildGs1(text, elements, symbology);
  }
  const hint = symbology ? symbology.slice(1) : null;
  if (GS1_MESSAGE_SYMBOLOGIES.has(hint) || leadingFnc1 || text.includes(GS)) {
    return buildGs1(text, readElementStrings(text), symbology);
  }
  if (GTIN_SYMBOLOGIES.has(hint)) return readHintedGtin(text, symbology);
  if (hint !== null) return { kind: "code", text, symbology };
  if (/^\(\d{2,4}\)/.test(text)) return buildGs1(text, readHri(text), symbology);
  if (DIGITS.test(text) && text.length === 8 && checkDigit(text.slice(0, 7)) !== Number(text[7]) && upcEValid(text)) {
    return readUpcE(text, symbology, text);
  }
  if (DIGITS.test(text) && text.length in GTIN_NAMES) return readGtin(text, symbology, text);
  if (DIGITS.test(text) && text.length === 18) return readSscc(text, symbology);
  try {
    return buildGs1(text, readElementStrings(text), symbology);
  } catch (error) {
    if (!(error instanceof BarcodeError)) throw error;
    if (error.code === ErrorCode.SEPARATOR_MISSING || error.code === ErrorCode.INVALID_CHARACTER) throw error;
    const startedGs1 = DEFINITE_GS1_AIS.has(error.firstAi) && !(error.elementIndex === 0 && error.code === ErrorCode.INVALID_FORMAT);
    if (startedGs1) throw error;
    return { kind: "code", text, symbology };
  }
}

/**
 * Return the product barcode codes a successful reading may match, and how many units one scan
 * of it counts per barcode unit: {codes, multiplier}. Stored product barcodes are 14-digit GTINs
 * or internal codes; the server's resolve.product_codes applies the same rules.
 */
export function productCodes(result) {
  if (result.kind === "gtin") return { codes: [result.gtin], multiplier: 1 };
  if (result.kind === "gs1") {
    if (result.gtin) return { codes: [result.gtin], multiplier: result.count || 1 };
    if (result.content_gtin) return { codes: [result.content_gtin], multiplier: result.content_count || 1 };
    return { codes: [result.text], multiplier: 1 };
  }
  if (result.kind === "sscc" || result.kind === "error") return { codes: [], multiplier: 1 };
  // A GTIN printed in a non-GS1 symbology (plain Code 128) is still that product's GTIN.
  const text = result.text;
  if (DIGITS.test(text) && text.length in GTIN_NAMES && checkDigit(text.slice(0, -1)) === Number(text[text.length - 1])) {
    return { codes: [text, text.padStart(14, "0")], multiplier: 1 };
  }
  return { codes: [text], multiplier: 1 };
}

/**
 * Read one scan as sent by a scanner (or typed), with the device's scanner settings
 * {prefix, suffix, separator}. Never throws for bad data: an unreadable scan returns
 * {kind: "error", code, message}, where the message names the value and the operator's next step.
 */
export function interpret(raw, settings = {}) {
  const resolved = { prefix: settings.prefix ?? "", suffix: settings.suffix ?? "", separator: settings.separator ?? "" };
  try {
    return read(String(raw), resolved);
  } catch (error) {
    if (error instanceof BarcodeError) return { kind: "error", code: error.code, message: error.message };
    throw error;
  }
}
