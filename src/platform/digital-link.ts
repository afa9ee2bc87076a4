/**
 * GS1 Digital Link URIs (GS1 Digital Link standard, URI syntax 1.x): parse, validate and generate.
 *
 * Behaviour follows the GS1 Syntax Engine (gs1/gs1-syntax-engine, src/c-lib/dl.c): the rightmost primary key in the path
 * starts the Digital Link path info (anything before it is a free "stem", e.g. a resolver path prefix), key qualifiers must
 * follow one of the orders the syntax dictionary allows, query parameters whose names are numeric must be known AIs that
 * are permitted as data attributes, other query parameters are kept aside, and the fragment is ignored. AI values are
 * checked against the GS1 Barcode Syntax Dictionary (embedded below): lengths, character sets (N, CSET 82, CSET 39,
 * CSET 64), GS1 check digits and the cheap content linters; requisite/exclusive AI associations (req=/ex=) too.
 *
 * Linters NOT applied (they need external code lists): gcppos1, gcppos2 (GS1 Company Prefix allocation), iso3166,
 * iso3166999, iso3166alpha2, iso4217, packagetype, mediatype, couponcode, couponposoffer.
 *
 * Pure functions, no I/O, no regular expressions or URL objects in the per-call paths.
 */
import { gs1CheckDigit } from './gs1.ts';

/**
 * GS1 Barcode Syntax Dictionary, data lines (gs1/gs1-syntax-dictionary @ff2eb4bf, Apache-2.0, (c) GS1 AISBL / BWIPP /
 * Zint), whitespace collapsed. Format: AIs [Flags] Specification [Attributes...] [# Title]; flag "*" = pre-defined
 * length (no FNC1 separator), "?" = permitted as a Digital Link data attribute.
 */
const SYNTAX_DICTIONARY = `
00 *? N18,csum,gcppos2 dlpkey # SSCC
01 *? N14,csum,gcppos2 ex=255,37 dlpkey=22,10,21|235 # GTIN
02 *? N14,csum,gcppos2 ex=01,03 req=37 # CONTENT
03 * N14,csum,gcppos2 ex=01,02,37,235 # MTO GTIN
10 ? X..20 req=01,02,03,8006,8026 # BATCH/LOT
11 *? N6,yymmd0 req=01,02,03,8006,8026 # PROD DATE
12 *? N6,yymmd0 req=8020 # DUE DATE
13 *? N6,yymmd0 req=01,02,03,8006,8026 # PACK DATE
15 *? N6,yymmd0 req=01,02,03,8006,8026 # BEST BEFORE or BEST BY
16 *? N6,yymmd0 req=01,02,03,8006,8026 # SELL BY
17 *? N6,yymmd0 req=01,02,03,255,8006,8026 # USE BY or EXPIRY
20 *? N2 req=01,02,03,8006,8026 # VARIANT
21 X..20 req=01,03,8006 ex=235 # SERIAL
22 X..20 req=01 # CPV
235 X..28 req=01 # TPX
240 ? X..30 req=01,02,03,8006,8026 # ADDITIONAL ID
241 ? X..30 req=01,02,03,8006,8026 # CUST. PART No.
242 ? N..6 req=01,02,8006,8026 # MTO VARIANT
243 ? X..20 req=01,03 # PCN
250 ? X..30 req=01+21,03+21,8006+21 # SECONDARY SERIAL
251 ? X..30 req=01,03,8006 # REF. TO SOURCE
253 ? N13,csum,gcppos1 [X..17] dlpkey # GDTI
254 X..20 req=414 # GLN EXTENSION COMPONENT
255 ? N13,csum,gcppos1 [N..12] dlpkey ex=01,02,415,8006,8020,8026 # GCN
30 ? N..8 req=01,02 # VAR. COUNT
3100-3105 *? N6 req=01,02 ex=310n # NET WEIGHT (kg)
3110-3115 *? N6 req=01,02 ex=311n # LENGTH (m)
3120-3125 *? N6 req=01,02 ex=312n # WIDTH (m)
3130-3135 *? N6 req=01,02 ex=313n # HEIGHT (m)
3140-3145 *? N6 req=01,02 ex=314n # AREA (m²)
3150-3155 *? N6 req=01,02 ex=315n # NET VOLUME (l)
3160-3165 *? N6 req=01,02 ex=316n # NET VOLUME (m³)
3200-3205 *? N6 req=01,02 ex=320n # NET WEIGHT (lb)
3210-3215 *? N6 req=01,02 ex=321n # LENGTH (in)
3220-3225 *? N6 req=01,02 ex=322n # LENGTH (ft)
3230-3235 *? N6 req=01,02 ex=323n # LENGTH (yd)
3240-3245 *? N6 req=01,02 ex=324n # WIDTH (in)
3250-3255 *? N6 req=01,02 ex=325n # WIDTH (ft)
3260-3265 *? N6 req=01,02 ex=326n # WIDTH (yd)
3270-3275 *? N6 req=01,02 ex=327n # HEIGHT (in)
3280-3285 *? N6 req=01,02 ex=328n # HEIGHT (ft)
3290-3295 *? N6 req=01,02 ex=329n # HEIGHT (yd)
3300-3305 *? N6 req=00,01 ex=330n # GROSS WEIGHT (kg)
3310-3315 *? N6 req=00,01 ex=331n # LENGTH (m), log
3320-3325 *? N6 req=00,01 ex=332n # WIDTH (m), log
3330-3335 *? N6 req=00,01 ex=333n # HEIGHT (m), log
3340-3345 *? N6 req=00,01 ex=334n # AREA (m²), log
3350-3355 *? N6 req=00,01 ex=335n # VOLUME (l), log
3360-3365 *? N6 req=00,01 ex=336n # VOLUME (m³), log
3370-3375 *? N6 req=01 ex=337n # KG PER m²
3400-3405 *? N6 req=00,01 ex=340n # GROSS WEIGHT (lb)
3410-3415 *? N6 req=00,01 ex=341n # LENGTH (in), log
3420-3425 *? N6 req=00,01 ex=342n # LENGTH (ft), log
3430-3435 *? N6 req=00,01 ex=343n # LENGTH (yd), log
3440-3445 *? N6 req=00,01 ex=344n # WIDTH (in), log
3450-3455 *? N6 req=00,01 ex=345n # WIDTH (ft), log
3460-3465 *? N6 req=00,01 ex=346n # WIDTH (yd), log
3470-3475 *? N6 req=00,01 ex=347n # HEIGHT (in), log
3480-3485 *? N6 req=00,01 ex=348n # HEIGHT (ft), log
3490-3495 *? N6 req=00,01 ex=349n # HEIGHT (yd), log
3500-3505 *? N6 req=01,02 ex=350n # AREA (in²)
3510-3515 *? N6 req=01,02 ex=351n # AREA (ft²)
3520-3525 *? N6 req=01,02 ex=352n # AREA (yd²)
3530-3535 *? N6 req=00,01 ex=353n # AREA (in²), log
3540-3545 *? N6 req=00,01 ex=354n # AREA (ft²), log
3550-3555 *? N6 req=00,01 ex=355n # AREA (yd²), log
3560-3565 *? N6 req=01,02 ex=356n # NET WEIGHT (tr oz)
3570-3575 *? N6 req=01,02 ex=357n # NET VOLUME (oz)
3600-3605 *? N6 req=01,02 ex=360n # NET VOLUME (qt (US))
3610-3615 *? N6 req=01,02 ex=361n # NET VOLUME (gal.)
3620-3625 *? N6 req=00,01 ex=362n # VOLUME (qt (US)), log
3630-3635 *? N6 req=00,01 ex=363n # VOLUME (gal (US)), log
3640-3645 *? N6 req=01,02 ex=364n # NET VOLUME (in³)
3650-3655 *? N6 req=01,02 ex=365n # NET VOLUME (ft³)
3660-3665 *? N6 req=01,02 ex=366n # NET VOLUME (yd³)
3670-3675 *? N6 req=00,01 ex=367n # VOLUME (in³), log
3680-3685 *? N6 req=00,01 ex=368n # VOLUME (ft³), log
3690-3695 *? N6 req=00,01 ex=369n # VOLUME (yd³), log
37 ? N..8 req=00+02,00+8026 # COUNT
3900-3909 ? N..15 req=255,8020 ex=390n,391n,394n,8111 # AMOUNT
3910-3919 ? N3,iso4217 N..15 req=8020 ex=391n # AMOUNT
3920-3929 ? N..15 req=01+30,01+31nn,01+32nn,01+35nn,01+36nn ex=392n,393n # PRICE
3930-3939 ? N3,iso4217 N..15 req=30,31nn,32nn,35nn,36nn ex=393n # PRICE
3940-3943 ? N4 req=255 ex=394n,8111 # PRCNT OFF
3950-3955 ? N6 req=30,31nn,32nn,35nn,36nn ex=392n,393n,395n,8005 # PRICE/UoM
400 ? X..30 # ORDER NUMBER
401 ? X..30,gcppos1 dlpkey # GINC
402 ? N17,csum,gcppos1 dlpkey # GSIN
403 ? X..30 req=00 # ROUTE
410 *? N13,csum,gcppos1 # SHIP TO LOC
411 *? N13,csum,gcppos1 # BILL TO
412 *? N13,csum,gcppos1 # PURCHASE FROM
413 *? N13,csum,gcppos1 # SHIP FOR LOC
414 *? N13,csum,gcppos1 dlpkey=254|7040 # LOC No.
415 *? N13,csum,gcppos1 req=8020 dlpkey=8020 # PAY TO
416 *? N13,csum,gcppos1 # PROD/SERV LOC
417 *? N13,csum,gcppos1 dlpkey=7040 # PARTY
420 ? X..20 ex=421 # SHIP TO POST
421 ? N3,iso3166 X..9 ex=4307 # SHIP TO POST
422 ? N3,iso3166 req=01,02,03,8006,8026 ex=426 # ORIGIN
423 ? N3,iso3166 [N3],iso3166 [N3],iso3166 [N3],iso3166 [N3],iso3166 req=01,02,03 ex=426 # COUNTRY - INITIAL PROCESS
424 ? N3,iso3166 req=01,02,03 ex=426 # COUNTRY - PROCESS
425 ? N3,iso3166 [N3],iso3166 [N3],iso3166 [N3],iso3166 [N3],iso3166 req=01,02,03 ex=426 # COUNTRY - DISASSEMBLY
426 ? N3,iso3166 req=01,02,03 # COUNTRY - FULL PROCESS
427 ? X..3 req=01+422,02+422,03+422 # ORIGIN SUBDIVISION
4300 ? X..35,pcenc req=00 # SHIP TO COMP
4301 ? X..35,pcenc req=00 # SHIP TO NAME
4302 ? X..70,pcenc req=00 # SHIP TO ADD1
4303 ? X..70,pcenc req=4302 # SHIP TO ADD2
4304 ? X..70,pcenc req=00 # SHIP TO SUB
4305 ? X..70,pcenc req=00 # SHIP TO LOC
4306 ? X..70,pcenc req=00 # SHIP TO REG
4307 ? X2,iso3166alpha2 req=00 # SHIP TO COUNTRY
4308 ? X..30 req=00 # SHIP TO PHONE
4309 ? N10,latitude N10,longitude req=00 # SHIP TO GEO
4310 ? X..35,pcenc req=00 # RTN TO COMP
4311 ? X..35,pcenc req=00 # RTN TO NAME
4312 ? X..70,pcenc req=00 # RTN TO ADD1
4313 ? X..70,pcenc req=4312 # RTN TO ADD2
4314 ? X..70,pcenc req=00 # RTN TO SUB
4315 ? X..70,pcenc req=00 # RTN TO LOC
4316 ? X..70,pcenc req=00 # RTN TO REG
4317 ? X2,iso3166alpha2 req=00 # RTN TO COUNTRY
4318 ? X..20 req=00 # RTN TO POST
4319 ? X..30 req=00 # RTN TO PHONE
4320 ? X..35,pcenc req=00 # SRV DESCRIPTION
4321 ? N1,yesno req=00 # DANGEROUS GOODS
4322 ? N1,yesno req=00 # AUTH TO LEAVE
4323 ? N1,yesno req=00 # SIG REQUIRED
4324 ? N6,yymmd0 N4,hhmi req=00 # NOT BEF DEL DT
4325 ? N6,yymmd0 N4,hhmi req=00 # NOT AFT DEL DT
4326 ? N6,yymmdd req=00 # REL DATE
4330 ? N6 [X1],hyphen req=00 ex=4331 # MAX TEMP F.
4331 ? N6 [X1],hyphen req=00 ex=4330 # MAX TEMP C.
4332 ? N6 [X1],hyphen req=00 ex=4333 # MIN TEMP F.
4333 ? N6 [X1],hyphen req=00 ex=4332 # MIN TEMP C.
7001 ? N13 req=01,02,8006,8026 # NSN
7002 ? X..30 req=01,02 # MEAT CUT
7003 ? N6,yymmdd N4,hhmi req=01,02,03 # EXPIRY TIME
7004 ? N..4 req=01+10,03+10 # ACTIVE POTENCY
7005 ? X..12 req=01,02 # CATCH AREA
7006 ? N6,yymmdd req=01,02 # FIRST FREEZE DATE
7007 ? N6,yymmdd [N6],yymmdd req=01,02 # HARVEST DATE
7008 ? X..3 req=01,02 # AQUATIC SPECIES
7009 ? X..10 req=01,02 # FISHING GEAR TYPE
7010 ? X..2 req=01,02,03 # PROD METHOD
7011 ? N6,yymmdd [N4],hhmi req=01,02,03 # TEST BY DATE
7020 ? X..20 req=01+416,03+416,8006+416 # REFURB LOT
7021 ? X..20 req=01,03,8006 # FUNC STAT
7022 ? X..20 req=01+7021,03+7021,8006+7021 # REV STAT
7023 ? X..30,gcppos1 # GIAI - ASSEMBLY
7030 ? N3,iso3166999 X..27 req=01,02 # PROCESSOR # 0
7031 ? N3,iso3166999 X..27 req=01,02 # PROCESSOR # 1
7032 ? N3,iso3166999 X..27 req=01,02 # PROCESSOR # 2
7033 ? N3,iso3166999 X..27 req=01,02 # PROCESSOR # 3
7034 ? N3,iso3166999 X..27 req=01,02 # PROCESSOR # 4
7035 ? N3,iso3166999 X..27 req=01,02 # PROCESSOR # 5
7036 ? N3,iso3166999 X..27 req=01,02 # PROCESSOR # 6
7037 ? N3,iso3166999 X..27 req=01,02 # PROCESSOR # 7
7038 ? N3,iso3166999 X..27 req=01,02 # PROCESSOR # 8
7039 ? N3,iso3166999 X..27 req=01,02 # PROCESSOR # 9
7040 N1 X1 X1 X1,importeridx # UIC+EXT
7041 X..4,packagetype req=00 # UFRGT UNIT TYPE
710 ? X..20 req=01 # NHRN PZN
711 ? X..20 req=01 # NHRN CIP
712 ? X..20 req=01 # NHRN CN
713 ? X..20 req=01 # NHRN DRN
714 ? X..20 req=01 # NHRN AIM
715 ? X..20 req=01 # NHRN NDC
716 ? X..20 req=01 # NHRN AIC
717 ? X..20 req=01 # NHRN SRN
7230 ? X2 X..28 req=01,8004 # CERT # 1
7231 ? X2 X..28 req=01,8004 # CERT # 2
7232 ? X2 X..28 req=01,8004 # CERT # 3
7233 ? X2 X..28 req=01,8004 # CERT # 4
7234 ? X2 X..28 req=01,8004 # CERT # 5
7235 ? X2 X..28 req=01,8004 # CERT # 6
7236 ? X2 X..28 req=01,8004 # CERT # 7
7237 ? X2 X..28 req=01,8004 # CERT # 8
7238 ? X2 X..28 req=01,8004 # CERT # 9
7239 ? X2 X..28 req=01,8004 # CERT # 10
7240 ? X..20 req=01,8006 ex=03 # PROTOCOL
7241 ? N2,mediatype req=8017,8018 # AIDC MEDIA TYPE
7242 ? X..25 req=8017,8018 # VCN
7250 ? N8,yyyymmdd req=8018 ex=7251 # DOB
7251 ? N8,yyyymmdd N4,hhmi req=8018 ex=7250 # DOB TIME
7252 ? N1,iso5218 req=8018 # BIO SEX
7253 ? X..40,pcenc req=8017,8018 ex=7256,7259 # FAMILY NAME
7254 ? X..40,pcenc req=8017,8018 ex=7256,7259 # GIVEN NAME
7255 ? X..10 req=8017,8018 ex=7256,7259 # SUFFIX
7256 ? X..90,pcenc req=8017,8018 # FULL NAME
7257 ? X..70,pcenc req=8018 # PERSON ADDR
7258 ? X3,posinseqslash req=8018+7259 # BIRTH SEQUENCE
7259 ? X..40,pcenc req=8018 ex=7256 # BABY
8001 ? N4,nonzero N5,nonzero N3,nonzero N1,winding N1 req=01 # DIMENSIONS
8002 ? X..20 # CMT No.
8003 ? N1,zero N13,csum,gcppos1 [X..16] dlpkey # GRAI
8004 ? X..30,gcppos1 dlpkey=7040 # GIAI
8005 ? N6 req=01,02 # PRICE PER UNIT
8006 ? N14,csum,gcppos2 N4,pieceoftotal ex=01,03,37 dlpkey=22,10,21 # ITIP
8007 ? X..34,iban req=415 # IBAN
8008 ? N6,yymmdd N2,hh [N2],mi [N2],ss req=01,02,03 # PROD TIME
8009 ? X..50 req=00,01,03 # OPTSEN
8010 ? Y..30,gcppos1 dlpkey=8011 # CPID
8011 N..12,nozeroprefix req=8010 # CPID SERIAL
8012 ? X..20 req=01,03,8006 # VERSION
8013 ? X..25,csumalpha,gcppos1 dlpkey # GMN
8014 X..25,csumalpha,gcppos1,hasnondigit req=01 # MUDI
8017 ? N18,csum,gcppos1 ex=8018 dlpkey=8019 # GSRN - PROVIDER
8018 ? N18,csum,gcppos1 ex=8017 dlpkey=8019 # GSRN - RECIPIENT
8019 N..10 req=8017,8018 # SRIN
8020 X..25 req=415 # REF No.
8026 ? N14,csum,gcppos2 N4,pieceoftotal req=37 ex=02,03,8006 # ITIP CONTENT
8030 ? Z..90 req=00,01+21,03+21,253,255,8003,8004,8006+21,8010+8011,8017,8018 # DIGSIG
8040 N15 req=01+21 # IMEI
8041 N15 req=01+21+8040 # IMEI2
8042 N32 req=01+21+8040 # ESIM
8043 N18 [N..2] req=01+21+8040 # PSIM
8110 ? X..70,couponcode
8111 ? N4 req=255 # POINTS
8112 ? X..70,couponposoffer
8200 X..70 req=01 # PRODUCT URL
90 ? X..30 # INTERNAL
91-99 ? X..90 # INTERNAL
`;

/** Host (and scheme) of canonical GS1 Digital Link URIs. */
export const CANONICAL_DL_STEM = 'https://id.gs1.org';

/** Stable error codes. `dl.*`: URI structure; `ai.*`: AI values and AI combinations. */
export type DigitalLinkErrorCode =
  | 'dl.empty'
  | 'dl.illegal_character'
  | 'dl.scheme'
  | 'dl.domain_missing'
  | 'dl.domain_illegal_character'
  | 'dl.no_primary_key'
  | 'dl.empty_value'
  | 'dl.null_character'
  | 'dl.unknown_ai'
  | 'dl.key_qualifier_sequence'
  | 'dl.duplicate_ai'
  | 'dl.not_data_attribute'
  | 'dl.attribute_belongs_in_path'
  | 'dl.stem'
  | 'ai.unknown'
  | 'ai.syntax'
  | 'ai.too_short'
  | 'ai.too_long'
  | 'ai.not_numeric'
  | 'ai.cset82'
  | 'ai.cset39'
  | 'ai.cset64'
  | 'ai.check_digit'
  | 'ai.check_pair'
  | 'ai.invalid_date'
  | 'ai.invalid_time'
  | 'ai.invalid_value'
  | 'ai.requires'
  | 'ai.excludes'
  | 'ai.conflicting_duplicate';

export type Gs1Failure<C extends string = DigitalLinkErrorCode> = { ok: false; code: C; message: string; ai?: string };
export type Gs1Result<T, C extends string = DigitalLinkErrorCode> = { ok: true; value: T } | Gs1Failure<C>;

/** Thrown by the throwing variants; `code` is one of the stable error codes. */
export class Gs1CodeError extends Error {
  readonly code: string;
  readonly ai: string | undefined;
  constructor(code: string, message: string, ai?: string) {
    super(message);
    this.name = 'Gs1CodeError';
    this.code = code;
    this.ai = ai;
  }
}

/** One Application Identifier and its (unescaped) value. */
export interface AiElement {
  ai: string;
  value: string;
}

export interface DigitalLink {
  /** Everything before the primary key: scheme, authority and any path prefix, as given (e.g. `https://example.com/shop`). */
  stem: string;
  /** Authority as given (host, optional port). */
  host: string;
  primaryKey: AiElement;
  /** Key qualifiers in path order (e.g. 22, 10, 21 for GTIN; 254 for GLN). */
  qualifiers: AiElement[];
  /** AI data attributes from the query string, in order. */
  attributes: AiElement[];
  /** Query parameters that are not AIs (e.g. `linkType=gs1:pip`, singletons), exactly as given. */
  otherQueryParams: string[];
  /** Fragment without `#`, when present. */
  fragment: string | undefined;
}

export interface DigitalLinkOptions {
  /** Accept GTIN-8/12/13 in AI (01) and left-pad to GTIN-14 (legacy; the syntax engine's PermitZeroSuppressedGTINinDLuris). */
  permitZeroSuppressedGtin?: boolean;
  /** Accept the deprecated short names (`/gtin/`, `/ser/`, `/lot/`, `/sscc/`, ...) in the path. */
  permitConvenienceAlphas?: boolean;
  /** Accept numeric AIs missing from the syntax dictionary (the syntax engine's PermitUnknownAIs). */
  permitUnknownAis?: boolean;
  /** With permitUnknownAis: let unknown AIs be data attributes (the engine's vUNKNOWN_AI_NOT_DL_ATTR validation off). */
  permitUnknownAiAttributes?: boolean;
  /** Check the req=/ex= AI associations of the syntax dictionary (default true, as the syntax engine). */
  checkAssociations?: boolean;
}

// ---------------------------------------------------------------------------------------------------------------------
// Character classes

const C_URI = 1;
const C_BAD_DOMAIN = 2;
const C_UNRESERVED = 4;
const C_CSET82 = 8;
const C_CSET39 = 16;
const C_CSET64 = 32;
const C_DIGIT = 64;
const C_HEX = 128;

const CHAR = new Uint8Array(128);
function mark(chars: string, flag: number): void {
  for (let i = 0; i < chars.length; i++) CHAR[chars.charCodeAt(i)]! |= flag;
}
const DIGITS = '0123456789';
const UPPER = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ';
const LOWER = 'abcdefghijklmnopqrstuvwxyz';
const CSET82_ORDERED = `!"%&'()*+,-./${DIGITS}:;<=>?${UPPER}_${LOWER}`;
mark(`${UPPER}${LOWER}${DIGITS}-._~:/?#[]@!$&'()*+,;=%`, C_URI);
mark("_~?#@!$&'()*+,;=%", C_BAD_DOMAIN);
mark(`${UPPER}${LOWER}${DIGITS}-._~`, C_UNRESERVED);
mark(CSET82_ORDERED, C_CSET82);
mark(`#-/${DIGITS}${UPPER}`, C_CSET39);
mark(`${UPPER}${LOWER}${DIGITS}-_`, C_CSET64);
mark(DIGITS, C_DIGIT);
mark(`${DIGITS}ABCDEFabcdef`, C_HEX);

/** Index of the first character of s[from, to) lacking `flag`, or -1. */
function firstWithout(s: string, flag: number, from = 0, to = s.length): number {
  for (let i = from; i < to; i++) {
    const c = s.charCodeAt(i);
    if (c >= 128 || (CHAR[c]! & flag) === 0) return i;
  }
  return -1;
}

export function isDigits(s: string, from = 0, to = s.length): boolean {
  if (to <= from) return false;
  for (let i = from; i < to; i++) {
    const c = s.charCodeAt(i);
    if (c < 48 || c > 57) return false;
  }
  return true;
}

/** True when every character is in GS1 AI encodable character set 82. */
export function isCset82(s: string): boolean {
  return firstWithout(s, C_CSET82) < 0;
}

function hexValue(c: number): number {
  return c <= 57 ? c - 48 : (c | 32) - 87;
}

// ---------------------------------------------------------------------------------------------------------------------
// Syntax dictionary

type Cset = 'N' | 'X' | 'Y' | 'Z';

interface AiComponent {
  readonly cset: Cset;
  readonly min: number;
  readonly max: number;
  readonly optional: boolean;
  readonly linters: readonly Linter[];
}

type Linter = (v: string) => DigitalLinkErrorCode | undefined;

export interface AiDefinition {
  readonly ai: string;
  readonly title: string;
  /** Variable length: an FNC1 separator follows it in an element string. */
  readonly fnc1: boolean;
  /** Permitted as a Digital Link data attribute (query string). */
  readonly dlDataAttribute: boolean;
  /** Alternative qualifier lists when the AI is a Digital Link primary key (e.g. [['22','10','21'],['235']] for 01). */
  readonly dlQualifiers: readonly (readonly string[])[] | undefined;
  readonly minLength: number;
  readonly maxLength: number;
  /** Each req= attribute: alternatives, each a group of AI patterns that must all be present (`n` = any digit). */
  readonly requires: readonly (readonly (readonly string[])[])[];
  /** ex= patterns: none of these may be present. */
  readonly excludes: readonly string[];
  readonly unknown: boolean;
  readonly components: readonly AiComponent[];
}

const AI_TABLE = new Map<string, AiDefinition>();
const KNOWN_AI_PROPER_PREFIXES = new Set<string>();
const AI_LENGTH_BY_PREFIX = new Map<string, number>();
/** Every valid Digital Link path AI sequence, space separated ("01", "01 22", "01 10 21", "414 254", ...). */
const DL_PATH_SEQUENCES = new Set<string>();
/** Per primary key, its valid path sequences sorted as the syntax engine sorts them (strcmp order). */
const DL_SEQUENCES_BY_KEY = new Map<string, string[][]>();

const CONVENIENCE_ALPHAS: ReadonlyMap<string, string> = new Map([
  ['cpid', '8010'],
  ['cpsn', '8011'],
  ['cpv', '22'],
  ['gcn', '255'],
  ['gdti', '253'],
  ['giai', '8004'],
  ['ginc', '401'],
  ['gln', '414'],
  ['glnx', '254'],
  ['gmn', '8013'],
  ['grai', '8003'],
  ['gsin', '402'],
  ['gsrn', '8018'],
  ['gsrnp', '8017'],
  ['gtin', '01'],
  ['itip', '8006'],
  ['lot', '10'],
  ['party', '417'],
  ['refno', '8020'],
  ['ser', '21'],
  ['srin', '8019'],
  ['sscc', '00'],
]);

function daysInMonth(year: number, month: number): number {
  if (month === 2) return year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0) ? 29 : 28;
  return month === 4 || month === 6 || month === 9 || month === 11 ? 30 : 31;
}

function twoDigits(v: string, at: number): number {
  return (v.charCodeAt(at) - 48) * 10 + v.charCodeAt(at + 1) - 48;
}

/** YYMMDD; day 00 allowed when `zeroDay`. Two-digit years: leap when divisible by 4 (2000..2099 window). */
function checkYymmdd(v: string, zeroDay: boolean, fourDigitYear: boolean): DigitalLinkErrorCode | undefined {
  const o = fourDigitYear ? 2 : 0;
  const year = fourDigitYear ? twoDigits(v, 0) * 100 + twoDigits(v, 2) : 2000 + twoDigits(v, 0);
  const month = twoDigits(v, 2 + o);
  const day = twoDigits(v, 4 + o);
  if (month < 1 || month > 12) return 'ai.invalid_date';
  if ((day === 0 && !zeroDay) || day > daysInMonth(year, month)) return 'ai.invalid_date';
  return undefined;
}

function csumAlpha(v: string): DigitalLinkErrorCode | undefined {
  const cset32 = '23456789ABCDEFGHJKLMNPQRSTUVWXYZ';
  const len = v.length;
  if (len < 2 || len - 2 > PRIMES.length) return 'ai.check_pair';
  let sum = 0;
  for (let i = 0; i < len - 2; i++) {
    const w = CSET82_ORDERED.indexOf(v[i]!);
    if (w < 0) return 'ai.cset82';
    sum += w * PRIMES[len - 3 - i]!;
  }
  sum %= 1021;
  return v[len - 2] === cset32[sum >> 5] && v[len - 1] === cset32[sum & 31] ? undefined : 'ai.check_pair';
}
const PRIMES = [
  2, 3, 5, 7, 11, 13, 17, 19, 23, 29, 31, 37, 41, 43, 47, 53, 59, 61, 67, 71, 73, 79, 83, 89, 97, 101, 103, 107, 109, 113, 127, 131, 137,
  139, 149, 151, 157, 163, 167, 173, 179, 181, 191, 193, 197, 199, 211, 223, 227, 229, 233, 239, 241, 251, 257, 263, 269, 271, 277, 281,
  283, 293, 307, 311, 313, 317, 331, 337, 347, 349, 353, 359, 367, 373, 379, 383, 389, 397, 401, 409, 419, 421, 431, 433, 439, 443, 449,
  457, 461, 463, 467, 479, 487, 491, 499, 503, 509,
];

function iban(v: string): DigitalLinkErrorCode | undefined {
  if (v.length < 5 || v.length > 34) return 'ai.invalid_value';
  const rearranged = v.slice(4) + v.slice(0, 4);
  let rem = 0;
  for (let i = 0; i < rearranged.length; i++) {
    const c = rearranged.charCodeAt(i);
    if (i >= rearranged.length - 4 && i < rearranged.length - 2 && !(c >= 65 && c <= 90)) return 'ai.invalid_value';
    if (c >= 48 && c <= 57) rem = (rem * 10 + c - 48) % 97;
    else if (c >= 65 && c <= 90) rem = (rem * 100 + c - 55) % 97;
    else return 'ai.invalid_value';
  }
  return rem === 1 ? undefined : 'ai.check_digit';
}

const LINTERS: Readonly<Record<string, Linter>> = {
  csum: (v) => (gs1CheckDigit(v.slice(0, -1)) === v.charCodeAt(v.length - 1) - 48 ? undefined : 'ai.check_digit'),
  csumalpha: csumAlpha,
  yymmd0: (v) => checkYymmdd(v, true, false),
  yymmdd: (v) => checkYymmdd(v, false, false),
  yyyymmd0: (v) => checkYymmdd(v, true, true),
  yyyymmdd: (v) => checkYymmdd(v, false, true),
  hh: (v) => (twoDigits(v, 0) <= 23 ? undefined : 'ai.invalid_time'),
  mi: (v) => (twoDigits(v, 0) <= 59 ? undefined : 'ai.invalid_time'),
  ss: (v) => (twoDigits(v, 0) <= 59 ? undefined : 'ai.invalid_time'),
  hhmi: (v) => (twoDigits(v, 0) <= 23 && twoDigits(v, 2) <= 59 ? undefined : 'ai.invalid_time'),
  yesno: (v) => (v === '0' || v === '1' ? undefined : 'ai.invalid_value'),
  zero: (v) => (v === '0' ? undefined : 'ai.invalid_value'),
  nonzero: (v) => {
    for (let i = 0; i < v.length; i++) if (v.charCodeAt(i) !== 48) return undefined;
    return 'ai.invalid_value';
  },
  nozeroprefix: (v) => (v.length > 1 && v[0] === '0' ? 'ai.invalid_value' : undefined),
  hasnondigit: (v) => (isDigits(v) ? 'ai.invalid_value' : undefined),
  pieceoftotal: (v) => {
    const half = v.length / 2;
    const piece = Number(v.slice(0, half));
    const total = Number(v.slice(half));
    return piece >= 1 && total >= 1 && piece <= total ? undefined : 'ai.invalid_value';
  },
  winding: (v) => (v === '0' || v === '1' || v === '9' ? undefined : 'ai.invalid_value'),
  hyphen: (v) => (v === '-' ? undefined : 'ai.invalid_value'),
  iso5218: (v) => (v === '0' || v === '1' || v === '2' || v === '9' ? undefined : 'ai.invalid_value'),
  pcenc: (v) => {
    for (let i = v.indexOf('%'); i >= 0; i = v.indexOf('%', i + 3)) {
      if (i + 2 >= v.length || firstWithout(v, C_HEX, i + 1, i + 3) >= 0) return 'ai.invalid_value';
    }
    return undefined;
  },
  latitude: (v) => (Number(v) <= 1800000000 ? undefined : 'ai.invalid_value'),
  longitude: (v) => (Number(v) <= 3600000000 ? undefined : 'ai.invalid_value'),
  posinseqslash: (v) => {
    const slash = v.indexOf('/');
    if (slash <= 0 || slash === v.length - 1 || !isDigits(v, 0, slash) || !isDigits(v, slash + 1)) return 'ai.invalid_value';
    const pos = Number(v.slice(0, slash));
    const total = Number(v.slice(slash + 1));
    return pos >= 1 && pos <= total ? undefined : 'ai.invalid_value';
  },
  importeridx: (v) => (v.length === 1 && firstWithout(v, C_CSET64) < 0 ? undefined : 'ai.invalid_value'),
  iban,
};

function parseComponent(token: string): AiComponent {
  const optional = token.startsWith('[');
  const parts = (optional ? token.slice(1).replace(']', '') : token).split(',');
  const type = parts[0]!;
  const cset = type[0] as Cset;
  const variable = type.startsWith('..', 1);
  const n = Number(type.slice(variable ? 3 : 1));
  const linters: Linter[] = [];
  for (const name of parts.slice(1)) {
    const l = LINTERS[name];
    if (l) linters.push(l);
  }
  return { cset, min: variable ? 1 : n, max: n, optional, linters };
}

function registerDlKey(ai: string, alternatives: readonly (readonly string[])[]): void {
  const seqs: string[][] = [];
  for (const alt of alternatives) {
    for (let mask = 0; mask < 1 << alt.length; mask++) {
      const seq = [ai];
      for (let j = 0; j < alt.length; j++) if (mask & (1 << j)) seq.push(alt[j]!);
      const key = seq.join(' ');
      if (!DL_PATH_SEQUENCES.has(key)) {
        DL_PATH_SEQUENCES.add(key);
        seqs.push(seq);
      }
    }
  }
  seqs.sort((a, b) => {
    const x = a.join(' ');
    const y = b.join(' ');
    return x < y ? -1 : x > y ? 1 : 0;
  });
  DL_SEQUENCES_BY_KEY.set(ai, seqs);
}

function loadDictionary(): void {
  for (const raw of SYNTAX_DICTIONARY.split('\n')) {
    const line = raw.trim();
    if (line === '') continue;
    const hash = line.indexOf(' # ');
    const title = hash >= 0 ? line.slice(hash + 3) : '';
    const tokens = (hash >= 0 ? line.slice(0, hash) : line).split(' ');
    const isSpec = (t: string | undefined): boolean => t !== undefined && 'NXYZ['.includes(t[0]!);
    let i = 1;
    let flags = '';
    if (!isSpec(tokens[1])) flags = tokens[i++]!;
    const components: AiComponent[] = [];
    while (isSpec(tokens[i])) components.push(parseComponent(tokens[i++]!));
    const requires: string[][][] = [];
    const excludes: string[] = [];
    let dlQualifiers: string[][] | undefined;
    for (const attr of tokens.slice(i)) {
      if (attr.startsWith('req='))
        requires.push(
          attr
            .slice(4)
            .split(',')
            .map((alt) => alt.split('+')),
        );
      else if (attr.startsWith('ex=')) excludes.push(...attr.slice(3).split(','));
      else if (attr === 'dlpkey') dlQualifiers = [[]];
      else if (attr.startsWith('dlpkey='))
        dlQualifiers = attr
          .slice(7)
          .split('|')
          .map((alt) => alt.split(','));
    }
    let minLength = 0;
    let maxLength = 0;
    for (const c of components) {
      if (!c.optional) minLength += c.min;
      maxLength += c.max;
    }
    const [from, to = from] = tokens[0]!.split('-') as [string, string?];
    for (let n = Number(from); n <= Number(to); n++) {
      const ai = String(n).padStart(from.length, '0');
      AI_TABLE.set(ai, {
        ai,
        title,
        fnc1: !flags.includes('*'),
        dlDataAttribute: flags.includes('?'),
        dlQualifiers,
        minLength,
        maxLength,
        requires,
        excludes,
        unknown: false,
        components,
      });
      for (let k = 2; k < ai.length; k++) KNOWN_AI_PROPER_PREFIXES.add(ai.slice(0, k));
      AI_LENGTH_BY_PREFIX.set(ai.slice(0, 2), ai.length);
      if (dlQualifiers) registerDlKey(ai, dlQualifiers);
    }
  }
}
loadDictionary();

/** Per valid path sequence, the AIs whose insertion after the primary key would give another valid sequence. */
const DL_INSERTABLE = new Map<string, Set<string>>();
for (const seq of DL_PATH_SEQUENCES) {
  const ais = seq.split(' ');
  for (let j = 1; j < ais.length; j++) {
    const shorter = [...ais.slice(0, j), ...ais.slice(j + 1)].join(' ');
    const set = DL_INSERTABLE.get(shorter) ?? new Set<string>();
    set.add(ais[j]!);
    DL_INSERTABLE.set(shorter, set);
  }
}

/** Value lengths of AI prefixes pre-defined as fixed length (GS1 General Specifications), used for unknown AIs. */
const FIXED_LENGTH_BY_PREFIX: ReadonlyMap<string, number> = new Map([
  ['00', 18],
  ['01', 14],
  ['02', 14],
  ['03', 14],
  ['04', 16],
  ['11', 6],
  ['12', 6],
  ['13', 6],
  ['14', 6],
  ['15', 6],
  ['16', 6],
  ['17', 6],
  ['18', 6],
  ['19', 6],
  ['20', 2],
  ['31', 6],
  ['32', 6],
  ['33', 6],
  ['34', 6],
  ['35', 6],
  ['36', 6],
  ['41', 13],
]);

function unknownAi(ai: string): AiDefinition {
  const fixed = FIXED_LENGTH_BY_PREFIX.get(ai.slice(0, 2));
  const component: AiComponent = { cset: 'X', min: fixed ?? 1, max: fixed ?? 90, optional: false, linters: [] };
  return {
    ai,
    title: 'UNKNOWN',
    fnc1: fixed === undefined,
    dlDataAttribute: false,
    dlQualifiers: undefined,
    minLength: component.min,
    maxLength: component.max,
    requires: [],
    excludes: [],
    unknown: true,
    components: [component],
  };
}

/** AI definitions indexed by length * 10000 + numeric value: lookups without hashing the (fresh) AI substring. */
const AI_BY_CODE: (AiDefinition | undefined)[] = new Array(50000).fill(undefined);
for (const [ai, def] of AI_TABLE) AI_BY_CODE[ai.length * 10000 + Number(ai)] = def;

function aiCode(ai: string): number {
  const n = ai.length;
  if (n < 2 || n > 4) return -1;
  let v = 0;
  for (let i = 0; i < n; i++) {
    const d = ai.charCodeAt(i) - 48;
    if (d < 0 || d > 9) return -1;
    v = v * 10 + d;
  }
  return n * 10000 + v;
}

function lookupAi(ai: string, permitUnknown: boolean | undefined): AiDefinition | undefined {
  const code = aiCode(ai);
  const def = code < 0 ? undefined : AI_BY_CODE[code];
  if (def !== undefined || !permitUnknown) return def;
  if (ai.length < 2 || ai.length > 4 || !isDigits(ai) || KNOWN_AI_PROPER_PREFIXES.has(ai)) return undefined;
  const expected = AI_LENGTH_BY_PREFIX.get(ai.slice(0, 2));
  if (expected !== undefined && expected !== ai.length) return undefined;
  return unknownAi(ai);
}

/** The syntax dictionary entry of an AI, if known. */
export function aiDefinition(ai: string): AiDefinition | undefined {
  return AI_TABLE.get(ai);
}

/** True when the AI is a GS1 Digital Link primary key (00, 01, 253, 255, 401, 402, 414, 415, 417, 8003, ...). */
export function isDigitalLinkPrimaryKey(ai: string): boolean {
  return AI_TABLE.get(ai)?.dlQualifiers !== undefined;
}

// ---------------------------------------------------------------------------------------------------------------------
// Validation

function failure<C extends string>(code: C, message: string, ai?: string): Gs1Failure<C> {
  return ai === undefined ? { ok: false, code, message } : { ok: false, code, message, ai };
}

function checkCset(cset: Cset, v: string, from: number, to: number): DigitalLinkErrorCode | undefined {
  switch (cset) {
    case 'N':
      return firstWithout(v, C_DIGIT, from, to) < 0 ? undefined : 'ai.not_numeric';
    case 'X':
      return firstWithout(v, C_CSET82, from, to) < 0 ? undefined : 'ai.cset82';
    case 'Y':
      return firstWithout(v, C_CSET39, from, to) < 0 ? undefined : 'ai.cset39';
    case 'Z': {
      let end = to;
      while (end > from && v.charCodeAt(end - 1) === 61) end--;
      const pads = to - end;
      if (pads > 2 || (pads > 0 && (to - from) % 3 !== 0)) return 'ai.cset64';
      return firstWithout(v, C_CSET64, from, end) < 0 ? undefined : 'ai.cset64';
    }
  }
}

const CSET_NAMES: Record<string, string> = {
  'ai.not_numeric': 'digits only',
  'ai.cset82': 'GS1 character set 82 only',
  'ai.cset39': 'GS1 character set 39 only',
  'ai.cset64': 'GS1 character set 64 (base64url) only',
};

const LINT_MESSAGES: Partial<Record<DigitalLinkErrorCode, string>> = {
  'ai.check_digit': 'has a wrong check digit',
  'ai.check_pair': 'has a wrong check character pair',
  'ai.invalid_date': 'has an invalid date',
  'ai.invalid_time': 'has an invalid time',
  'ai.invalid_value': 'has a component outside its allowed values',
  'ai.cset82': 'must use GS1 character set 82 only',
};

/** Validates one AI value against its syntax dictionary entry (lengths, character sets, check digits, linters). */
function validateValue(def: AiDefinition, value: string): Gs1Failure | undefined {
  const ai = def.ai;
  const len = value.length;
  if (len === 0) return failure('ai.too_short', `AI (${ai}) value is empty`, ai);
  if (len < def.minLength) return failure('ai.too_short', `AI (${ai}) value is too short`, ai);
  if (len > def.maxLength) return failure('ai.too_long', `AI (${ai}) value is too long`, ai);
  let pos = 0;
  for (const part of def.components) {
    const complen = Math.min(len - pos, part.max);
    if (part.optional && complen === 0) continue;
    if (complen < part.min) return failure('ai.too_short', `AI (${ai}) value is too short`, ai);
    const end = pos + complen;
    const csetError = checkCset(part.cset, value, pos, end);
    if (csetError) return failure(csetError, `AI (${ai}) must use ${CSET_NAMES[csetError]}`, ai);
    if (part.linters.length > 0) {
      const comp = pos === 0 && end === len ? value : value.slice(pos, end);
      for (const lint of part.linters) {
        const err = lint(comp);
        if (err) return failure(err, `AI (${ai}) value "${value}" ${LINT_MESSAGES[err] ?? 'is invalid'}`, ai);
      }
    }
    pos = end;
  }
  if (pos < len) return failure('ai.too_long', `AI (${ai}) value is too long`, ai);
  return undefined;
}

/** Validates one AI element: known AI (or permitted unknown) and a valid value. */
export function validateAiElement(element: AiElement, options: DigitalLinkOptions = {}): Gs1Failure | undefined {
  const def = lookupAi(element.ai, options.permitUnknownAis);
  if (!def) return failure('ai.unknown', `unknown AI (${element.ai})`, element.ai);
  return validateValue(def, element.value);
}

function matchesPattern(pattern: string, ai: string): boolean {
  if (pattern.length !== ai.length) return false;
  for (let i = 0; i < pattern.length; i++) {
    const p = pattern.charCodeAt(i);
    const c = ai.charCodeAt(i);
    if (p === 110 /* n */ ? c < 48 || c > 57 : p !== c) return false;
  }
  return true;
}

function anyMatches(pattern: string, ais: readonly string[]): boolean {
  for (const a of ais) if (matchesPattern(pattern, a)) return true;
  return false;
}

function checkAssociations(ais: readonly string[], defs: readonly AiDefinition[]): Gs1Failure | undefined {
  for (const def of defs) {
    for (const req of def.requires) {
      let satisfied = false;
      for (const group of req) {
        let all = true;
        for (const pat of group) {
          if (!anyMatches(pat, ais)) {
            all = false;
            break;
          }
        }
        if (all) {
          satisfied = true;
          break;
        }
      }
      if (!satisfied) {
        const wanted = req.map((g) => g.map((p) => `(${p})`).join('+')).join(' or ');
        return failure('ai.requires', `AI (${def.ai}) requires ${wanted}`, def.ai);
      }
    }
    for (const pat of def.excludes) {
      for (const a of ais) {
        if (a !== def.ai && matchesPattern(pat, a)) return failure('ai.excludes', `AI (${def.ai}) cannot be combined with (${a})`, def.ai);
      }
    }
  }
  return undefined;
}

// ---------------------------------------------------------------------------------------------------------------------
// Percent-encoding

/**
 * Reverses percent-encoding (bytewise, as the syntax engine: `%FF` becomes U+00FF). In the query component `+` means
 * space. Malformed escapes stay as they are. Returns null when the result would contain NUL.
 */
export function uriUnescape(input: string, component: 'path' | 'query'): string | null {
  const query = component === 'query';
  if (input.indexOf('%') < 0 && (!query || input.indexOf('+') < 0)) return input;
  let out = '';
  const len = input.length;
  for (let i = 0; i < len; i++) {
    const c = input.charCodeAt(i);
    if (c === 37 && i + 2 < len) {
      const h = input.charCodeAt(i + 1);
      const l = input.charCodeAt(i + 2);
      if (h < 128 && l < 128 && CHAR[h]! & C_HEX && CHAR[l]! & C_HEX) {
        const byte = hexValue(h) * 16 + hexValue(l);
        if (byte === 0) return null;
        out += String.fromCharCode(byte);
        i += 2;
        continue;
      }
    }
    out += query && c === 43 ? ' ' : input[i];
  }
  return out;
}

const HEX = '0123456789ABCDEF';

/**
 * Percent-encodes everything but the URI unreserved characters (A-Z a-z 0-9 - . _ ~), upper-case hex, as GS1 Digital
 * Link requires for AI values; in the query component a space becomes `+`.
 */
export function uriEscape(input: string, component: 'path' | 'query'): string {
  const first = firstWithout(input, C_UNRESERVED);
  if (first < 0) return input;
  const query = component === 'query';
  let out = input.slice(0, first);
  for (let i = first; i < input.length; i++) {
    const c = input.charCodeAt(i);
    if (c < 128 && CHAR[c]! & C_UNRESERVED) out += input[i];
    else if (c === 32 && query) out += '+';
    else if (c < 256) out += `%${HEX[c >> 4]}${HEX[c & 15]}`;
    else out += encodeURIComponent(input[i]!);
  }
  return out;
}

// ---------------------------------------------------------------------------------------------------------------------
// Parsing

function padGtin(value: string): string {
  return value.length === 13 || value.length === 12 || value.length === 8 ? value.padStart(14, '0') : value;
}

function pathAi(segment: string, options: DigitalLinkOptions): AiDefinition | undefined {
  if (options.permitConvenienceAlphas && segment.length >= 3 && segment.length <= 5) {
    const c = segment.charCodeAt(0);
    if (c < 48 || c > 57) {
      const ai = CONVENIENCE_ALPHAS.get(segment);
      if (ai !== undefined) return AI_TABLE.get(ai);
    }
  }
  return lookupAi(segment, options.permitUnknownAis);
}

function isDataAttribute(def: AiDefinition, options: DigitalLinkOptions): boolean {
  return def.unknown ? options.permitUnknownAiAttributes === true : def.dlDataAttribute;
}

/** Checks the path AIs form a valid key-qualifier sequence and the attributes are unique, permitted and not path AIs. */
function checkStructure(path: readonly AiElement[], attributes: readonly AiElement[], options: DigitalLinkOptions): Gs1Failure | undefined {
  let seq = path[0]!.ai;
  for (let i = 1; i < path.length; i++) seq += ` ${path[i]!.ai}`;
  if (!DL_PATH_SEQUENCES.has(seq)) {
    return failure(
      'dl.key_qualifier_sequence',
      `path AIs (${seq.replaceAll(' ', ')(')}) are not a valid key-qualifier sequence`,
      path[0]!.ai,
    );
  }
  if (attributes.length === 0) return undefined;
  const insertable = DL_INSERTABLE.get(seq);
  for (let i = 0; i < attributes.length; i++) {
    const ai = attributes[i]!.ai;
    let duplicate = false;
    for (const e of path) if (e.ai === ai) duplicate = true;
    for (let k = 0; k < i; k++) if (attributes[k]!.ai === ai) duplicate = true;
    if (duplicate) return failure('dl.duplicate_ai', `AI (${ai}) appears twice`, ai);
    const def = lookupAi(ai, options.permitUnknownAis);
    if (!def || !isDataAttribute(def, options)) return failure('dl.not_data_attribute', `AI (${ai}) is not a valid data attribute`, ai);
    if (insertable?.has(ai)) return failure('dl.attribute_belongs_in_path', `AI (${ai}) belongs in the path`, ai);
  }
  return undefined;
}

function checkValuesAndAssociations(elements: readonly AiElement[], options: DigitalLinkOptions): Gs1Failure | undefined {
  const defs: AiDefinition[] = [];
  const ais: string[] = [];
  for (const e of elements) {
    const def = lookupAi(e.ai, options.permitUnknownAis);
    if (!def) return failure('ai.unknown', `unknown AI (${e.ai})`, e.ai);
    const bad = validateValue(def, e.value);
    if (bad) return bad;
    defs.push(def);
    ais.push(e.ai);
  }
  return options.checkAssociations === false ? undefined : checkAssociations(ais, defs);
}

/**
 * Parses a GS1 Digital Link URI (any host, optional path prefix, http or https) into its primary key, key qualifiers
 * and AI data attributes, validating the URI structure, the key-qualifier order and every AI value.
 */
export function parseDigitalLink(uri: string, options: DigitalLinkOptions = {}): Gs1Result<DigitalLink> {
  const len = uri.length;
  if (len === 0) return failure('dl.empty', 'empty URI');
  const bad = firstWithout(uri, C_URI);
  if (bad >= 0) return failure('dl.illegal_character', `character ${JSON.stringify(uri[bad])} is not allowed in a URI`);
  let p: number;
  if (uri.startsWith('https://') || uri.startsWith('HTTPS://')) p = 8;
  else if (uri.startsWith('http://') || uri.startsWith('HTTP://')) p = 7;
  else return failure('dl.scheme', 'a Digital Link URI starts with http:// or https://');
  const slash = uri.indexOf('/', p);
  if (slash <= p) return failure('dl.domain_missing', 'URI has no domain or no path');
  for (let i = p; i < slash; i++) {
    if (CHAR[uri.charCodeAt(i)]! & C_BAD_DOMAIN) return failure('dl.domain_illegal_character', 'illegal character in the domain');
  }
  let end = len;
  let fragment: string | undefined;
  const hashAt = uri.indexOf('#', slash);
  if (hashAt >= 0) {
    fragment = uri.slice(hashAt + 1);
    end = hashAt;
  }
  let query: string | undefined;
  const q = uri.indexOf('?', slash);
  if (q >= 0 && q < end) {
    query = uri.slice(q + 1, end);
    end = q;
  }
  // Slash positions in the path: segment k (k >= 1) runs from cuts[k - 1] + 1 to cuts[k] (or the end of the path).
  const cuts: number[] = [];
  for (let i = slash; i >= 0 && i < end; i = uri.indexOf('/', i + 1)) cuts.push(i);
  const nsegs = cuts.length + 1;
  const segment = (k: number): string => uri.slice(cuts[k - 1]! + 1, k < cuts.length ? cuts[k] : end);

  // The Digital Link path info starts at the rightmost primary key reached by walking back over /AI/value pairs.
  let dp = -1;
  for (let j = nsegs - 2; j >= 1; j -= 2) {
    const def = pathAi(segment(j), options);
    if (!def) break;
    if (def.dlQualifiers) {
      dp = j;
      break;
    }
  }
  if (dp < 0) return failure('dl.no_primary_key', 'no GS1 Digital Link primary key found in the path');

  const path: AiElement[] = [];
  for (let j = dp; j < nsegs; j += 2) {
    const def = pathAi(segment(j), options)!;
    const raw = segment(j + 1);
    if (raw === '') return failure('dl.empty_value', `AI (${def.ai}) has an empty value in the path`, def.ai);
    let value = uriUnescape(raw, 'path');
    if (value === null) return failure('dl.null_character', `AI (${def.ai}) value contains a NUL character`, def.ai);
    if (options.permitZeroSuppressedGtin && def.ai === '01') value = padGtin(value);
    path.push({ ai: def.ai, value });
  }

  const attributes: AiElement[] = [];
  const otherQueryParams: string[] = [];
  if (query !== undefined && query !== '') {
    let start = 0;
    while (start <= query.length) {
      let amp = query.indexOf('&', start);
      if (amp < 0) amp = query.length;
      if (amp > start) {
        const eq = query.indexOf('=', start);
        if (eq < 0 || eq >= amp || !isDigits(query, start, eq)) {
          otherQueryParams.push(query.slice(start, amp));
        } else {
          const ai = query.slice(start, eq);
          const def = lookupAi(ai, options.permitUnknownAis);
          if (!def) return failure('dl.unknown_ai', `query parameter ${ai} is numeric but not a known AI`, ai);
          if (eq + 1 === amp) return failure('dl.empty_value', `AI (${ai}) has an empty value in the query`, ai);
          let value = uriUnescape(query.slice(eq + 1, amp), 'query');
          if (value === null) return failure('dl.null_character', `AI (${ai}) value contains a NUL character`, ai);
          if (options.permitZeroSuppressedGtin && ai === '01') value = padGtin(value);
          attributes.push({ ai, value });
        }
      }
      start = amp + 1;
    }
  }

  const structural = checkStructure(path, attributes, options);
  if (structural) return structural;
  const invalid = checkValuesAndAssociations(attributes.length === 0 ? path : [...path, ...attributes], options);
  if (invalid) return invalid;

  const stemEnd = cuts[dp - 1]!;
  return {
    ok: true,
    value: {
      stem: uri.slice(0, stemEnd),
      host: uri.slice(p, slash),
      primaryKey: path[0]!,
      qualifiers: path.slice(1),
      attributes,
      otherQueryParams,
      fragment,
    },
  };
}

/** All AI elements of a parsed Digital Link: primary key, qualifiers, then attributes. */
export function digitalLinkElements(dl: Pick<DigitalLink, 'primaryKey' | 'qualifiers' | 'attributes'>): AiElement[] {
  return [dl.primaryKey, ...dl.qualifiers, ...dl.attributes];
}

/** Unbracketed element string with `^` for FNC1 (leading, and after each variable-length AI that is not last). */
export function toElementString(elements: readonly AiElement[]): string {
  let out = '';
  let fnc1 = true;
  for (const e of elements) {
    if (fnc1) out += '^';
    out += e.ai + e.value;
    fnc1 = (AI_TABLE.get(e.ai) ?? unknownAi(e.ai)).fnc1;
  }
  return out;
}

/** Bracketed AI syntax, e.g. `(01)09520123456788(21)ABC`; a `(` inside a value is written `\(`. */
export function toBracketedAiString(elements: readonly AiElement[]): string {
  let out = '';
  for (const e of elements) out += `(${e.ai})${e.value.replaceAll('(', '\\(')}`;
  return out;
}

/** Parses bracketed AI syntax (`(01)...(10)...`, `\(` for a literal bracket). Values are not validated here. */
export function parseBracketedAiData(input: string, options: DigitalLinkOptions = {}): Gs1Result<AiElement[]> {
  const out: AiElement[] = [];
  let p = 0;
  while (p < input.length) {
    if (input[p] !== '(') return failure('ai.syntax', `expected "(" at position ${p}`);
    const close = input.indexOf(')', p + 1);
    if (close < 0) return failure('ai.syntax', 'unterminated AI');
    const ai = input.slice(p + 1, close);
    if (!lookupAi(ai, options.permitUnknownAis)) return failure('ai.unknown', `unknown AI (${ai})`, ai);
    let value = '';
    let r = close + 1;
    for (;;) {
      let next = input.indexOf('(', r);
      if (next < 0) next = input.length;
      if (next < input.length && input[next - 1] === '\\') {
        value += `${input.slice(r, next - 1)}(`;
        r = next + 1;
        continue;
      }
      value += input.slice(r, next);
      p = next;
      break;
    }
    if (value === '') return failure('ai.too_short', `AI (${ai}) value is empty`, ai);
    out.push({ ai, value });
  }
  return { ok: true, value: out };
}

// ---------------------------------------------------------------------------------------------------------------------
// Generation

function normaliseStem(stem: string | undefined): Gs1Result<string> {
  if (stem === undefined) return { ok: true, value: CANONICAL_DL_STEM };
  const lower = stem.slice(0, 8).toLowerCase();
  const p = lower.startsWith('https://') ? 8 : lower.startsWith('http://') ? 7 : -1;
  const s = stem.endsWith('/') ? stem.slice(0, -1) : stem;
  if (p < 0 || s.length <= p || firstWithout(s, C_URI) >= 0 || s.includes('?') || s.includes('#')) {
    return failure('dl.stem', `invalid Digital Link stem ${JSON.stringify(stem)}`);
  }
  return { ok: true, value: s };
}

function isFixedLength(ai: string): boolean {
  return !(AI_TABLE.get(ai) ?? unknownAi(ai)).fnc1;
}

/** Writes stem + /AI/value path + ?AI=value query (fixed-length attributes first, then the others, each in given order). */
function emit(stem: string, path: readonly AiElement[], attributes: readonly AiElement[]): string {
  let out = stem;
  for (const e of path) out += `/${e.ai}/${uriEscape(e.value, 'path')}`;
  let sep = '?';
  for (const fixed of [true, false]) {
    for (const e of attributes) {
      if (isFixedLength(e.ai) !== fixed) continue;
      out += `${sep}${e.ai}=${uriEscape(e.value, 'query')}`;
      sep = '&';
    }
  }
  return out;
}

export interface DigitalLinkInput {
  primaryKey: AiElement;
  qualifiers?: readonly AiElement[];
  attributes?: readonly AiElement[];
}

export interface FormatOptions extends DigitalLinkOptions {
  /** Scheme, host and optional path prefix; default `https://id.gs1.org` (canonical). A trailing slash is dropped. */
  stem?: string;
}

/**
 * Generates a Digital Link URI from a primary key, key qualifiers (in an allowed order) and attributes, after the same
 * validation as parsing. Values are given unescaped; they are percent-encoded here.
 */
export function formatDigitalLink(input: DigitalLinkInput, options: FormatOptions = {}): Gs1Result<string> {
  const stem = normaliseStem(options.stem);
  if (!stem.ok) return stem;
  const path = [input.primaryKey, ...(input.qualifiers ?? [])];
  const attributes = input.attributes ?? [];
  if (!isDigitalLinkPrimaryKey(input.primaryKey.ai)) {
    return failure('dl.no_primary_key', `AI (${input.primaryKey.ai}) is not a Digital Link primary key`, input.primaryKey.ai);
  }
  const structural = checkStructure(path, attributes, options);
  if (structural) return structural;
  const invalid = checkValuesAndAssociations([...path, ...attributes], options);
  if (invalid) return invalid;
  return { ok: true, value: emit(stem.value, path, attributes) };
}

/**
 * Generates a Digital Link URI from AI data in any order, as the syntax engine does: the first AI that is a primary key
 * becomes the key, the allowed qualifier sequence matching most of the given AIs gives the path, all other AIs become
 * query attributes (which must be permitted data attributes). Repeated identical AIs are written once.
 */
export function digitalLinkFromAiElements(elements: readonly AiElement[], options: FormatOptions = {}): Gs1Result<string> {
  const stem = normaliseStem(options.stem);
  if (!stem.ok) return stem;
  const distinct: AiElement[] = [];
  for (const e of elements) {
    const seen = distinct.find((d) => d.ai === e.ai);
    if (!seen) distinct.push(e);
    else if (seen.value !== e.value) return failure('ai.conflicting_duplicate', `AI (${e.ai}) is given twice with different values`, e.ai);
  }
  const invalid = checkValuesAndAssociations(distinct, options);
  if (invalid) return invalid;
  const key = distinct.find((e) => isDigitalLinkPrimaryKey(e.ai));
  if (!key) return failure('dl.no_primary_key', 'no AI in the data is a Digital Link primary key');
  const sequences = DL_SEQUENCES_BY_KEY.get(key.ai)!;
  let best = sequences[0]!;
  let bestCount = 0;
  for (const seq of sequences) {
    let count = 0;
    for (let k = 1; k < seq.length; k++) for (const e of elements) if (e.ai === seq[k]) count++;
    if (count > bestCount) {
      best = seq;
      bestCount = count;
    }
  }
  const path: AiElement[] = [];
  for (const ai of best) {
    const e = distinct.find((d) => d.ai === ai);
    if (e) path.push(e);
  }
  const attributes = distinct.filter((e) => !best.includes(e.ai));
  for (const a of attributes) {
    const def = lookupAi(a.ai, options.permitUnknownAis)!;
    if (!isDataAttribute(def, options)) return failure('dl.not_data_attribute', `AI (${a.ai}) is not a valid data attribute`, a.ai);
  }
  return { ok: true, value: emit(stem.value, path, attributes) };
}
