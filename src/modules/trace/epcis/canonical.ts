/**
 * Canonical forms of EPCIS/CBV 2.0 values, as the CBV 2.0 event hash (section 8.9) and the reference implementation
 * (RalphTro/epcis-event-hash-generator, 2026 vectors) write them: CBV short names to web-vocabulary URIs, EPC URNs and
 * GS1 Digital Link URIs to the constrained canonical Digital Link form on https://id.gs1.org, times to UTC at millisecond
 * precision, numbers without redundant zeros. Pure functions, no I/O.
 */
import { canonicalGs1Uri } from './canonical-gs1-uri.ts';

export const CBV_NS = 'https://ref.gs1.org/cbv/';
/** The GS1 web vocabulary as the 2026 vectors expand it (the ratified 2.0 context still says https://gs1.org/voc/). */
export const GS1_VOC_NS = 'https://ref.gs1.org/voc/';

const words = (list: string): readonly string[] => list.trim().split(/\s+/);

// The CBV 2.0 short names, as the EPCIS 2.0 JSON-LD context (./official/epcis-context.jsonld) and JSON Schema define them.
export const BIZ_STEPS = words(`
  accepting arriving assembling collecting commissioning consigning creating_class_instance cycle_counting decommissioning departing
  destroying disassembling dispensing encoding entering_exiting holding inspecting installing killing loading other packing picking
  receiving removing repackaging repairing replacing reserving retail_selling sampling sensor_reporting shipping staging_outbound
  stock_taking stocking storing transporting unloading unpacking void_shipping`);
export const DISPOSITIONS = words(`
  active available completeness_verified completeness_inferred conformant container_closed container_open damaged destroyed dispensed
  disposed encoded expired in_progress in_transit inactive mismatch_instance mismatch_class mismatch_quantity needs_replacement
  no_pedigree_match non_conformant non_sellable_other partially_dispensed recalled reserved retail_sold returned sellable_accessible
  sellable_not_accessible stolen unavailable unknown`);
export const BIZ_TRANSACTION_TYPES = words('bol cert desadv inv pedigree po poc prodorder recadv rma testprd testres upevt');
export const SOURCE_DEST_TYPES = words('owning_party possessing_party location');
export const ERROR_REASONS = words('did_not_occur incorrect_data');
export const COMPONENTS = words(
  'x y z axial_distance azimuth height spherical_radius polar_angle elevation_angle easting northing latitude longitude altitude',
);
export const MEASUREMENT_TYPES = words(`
  AbsoluteHumidity AbsorbedDose AbsorbedDoseRate Acceleration Radioactivity Altitude AmountOfSubstance AmountOfSubstancePerUnitVolume
  Angle AngularAcceleration AngularMomentum AngularVelocity Area Capacitance Conductance Conductivity Count Density Dimensionless
  DoseEquivalent DoseEquivalentRate DynamicViscosity ElectricCharge ElectricCurrent ElectricCurrentDensity ElectricFieldStrength Energy
  Exposure Force Frequency Illuminance Inductance Irradiance KinematicViscosity Length LinearMomentum Luminance LuminousFlux
  LuminousIntensity MagneticFlux MagneticFluxDensity MagneticVectorPotential Mass MassConcentration MassFlowRate MassPerAreaTime
  MemoryCapacity MolalityOfSolute MolarEnergy MolarMass MolarVolume Power Pressure RadiantFlux RadiantIntensity RelativeHumidity
  Resistance Resistivity SolidAngle SpecificVolume Speed SurfaceDensity SurfaceTension Temperature Time Torque Voltage Volume
  VolumeFlowRate VolumeFraction VolumetricFlux Wavenumber`);
export const SENSOR_ALERT_TYPES = words('ALARM_CONDITION ERROR_CONDITION');

/** A CBV vocabulary: its short names (as the EPCIS JSON-LD context defines them) and the URI each expands to. */
export type Vocabulary = ReadonlyMap<string, string>;
const vocabulary = (base: string, terms: readonly string[]): Vocabulary => new Map(terms.map((t) => [t, base + t]));

export const VOCABULARIES = {
  bizStep: vocabulary(`${CBV_NS}BizStep-`, BIZ_STEPS),
  disposition: vocabulary(`${CBV_NS}Disp-`, DISPOSITIONS),
  bizTransactionType: vocabulary(`${CBV_NS}BTT-`, BIZ_TRANSACTION_TYPES),
  sourceDestType: vocabulary(`${CBV_NS}SDT-`, SOURCE_DEST_TYPES),
  errorReason: vocabulary(`${CBV_NS}ER-`, ERROR_REASONS),
  component: vocabulary(`${CBV_NS}Comp-`, COMPONENTS),
  measurementType: vocabulary(GS1_VOC_NS, MEASUREMENT_TYPES),
  sensorAlertType: vocabulary(GS1_VOC_NS, SENSOR_ALERT_TYPES),
} as const;

// ---------------------------------------------------------------------------------------------------------------------
// Values in general

/** Canonical form of any value outside time fields: old CBV URNs to web URIs, numbers, GS1 identifiers to canonical DL. */
export function canonicalValue(text: string): string {
  let t = text;
  if (t.includes('urn:epcglobal:cbv:')) t = webVocabulary(t);
  t = canonicalNumber(t);
  return canonicalGs1Uri(t) ?? t;
}

/** Replaces the CBV 1.x URN prefixes (urn:epcglobal:cbv:bizstep: ...) by their CBV 2.0 web URI equivalents, anywhere. */
export function webVocabulary(text: string): string {
  return text
    .replaceAll('urn:epcglobal:cbv:bizstep:', `${CBV_NS}BizStep-`)
    .replaceAll('urn:epcglobal:cbv:disp:', `${CBV_NS}Disp-`)
    .replaceAll('urn:epcglobal:cbv:btt:', `${CBV_NS}BTT-`)
    .replaceAll('urn:epcglobal:cbv:sdt:', `${CBV_NS}SDT-`)
    .replaceAll('urn:epcglobal:cbv:er:', `${CBV_NS}ER-`);
}

// ---------------------------------------------------------------------------------------------------------------------
// Numbers: the reference reads every value with Python's Decimal; a decimal literal is written without a leading "+",
// leading zeros or trailing fractional zeros ("023.50" -> "23.5", "200.0" -> "200"). Quirks kept on purpose: a whole
// number with a positive exponent stays in scientific form ("1e3" -> "1E+3"), "-0.0" -> "-0", "1_000" -> "1000".

const DECIMAL = /^([+-]?)(?:(\d(?:_?\d)*)(?:\.(\d(?:_?\d)*)?)?|\.(\d(?:_?\d)*))(?:[eE]([+-]?\d(?:_?\d)*))?$/;

export function canonicalNumber(text: string): string {
  const c = text.charCodeAt(0);
  // fast exit: a decimal literal starts with a digit, a sign or a dot
  if (!((c >= 48 && c <= 57) || c === 43 || c === 45 || c === 46)) return text;
  const m = DECIMAL.exec(text);
  if (!m) return text;
  const sign = m[1] === '-' ? '-' : '';
  const intPart = (m[2] ?? '').replaceAll('_', '');
  const fracPart = (m[3] ?? m[4] ?? '').replaceAll('_', '');
  let exp = (m[5] ? Number(m[5].replaceAll('_', '')) : 0) - fracPart.length;
  let digits = (intPart + fracPart).replace(/^0+(?=\d)/, '');
  if (digits === '0') return exp > 0 ? `${sign}0E+${exp}` : `${sign}0`;
  if (exp >= 0) {
    if (exp === 0) return sign + digits;
    // Python str(Decimal) for a positive exponent: scientific notation
    const adjusted = exp + digits.length - 1;
    return `${sign}${digits[0]}${digits.length > 1 ? `.${digits.slice(1)}` : ''}E+${adjusted}`;
  }
  // negative exponent: strip trailing zeros (normalize); integral values become plain integers
  while (exp < 0 && digits.endsWith('0')) {
    digits = digits.slice(0, -1);
    exp++;
  }
  if (exp === 0) return sign + digits;
  const point = digits.length + exp;
  return point > 0 ? `${sign}${digits.slice(0, point)}.${digits.slice(point)}` : `${sign}0.${'0'.repeat(-point)}${digits}`;
}

// ---------------------------------------------------------------------------------------------------------------------
// Times: UTC, millisecond precision, the 4th fractional digit rounds half up (".1415" -> ".142"), "Z" suffix.
// A value that is not an ISO 8601 date-time is returned unchanged. A time without zone is read as UTC.

const TIMESTAMP = /^(\d{4})-(\d{2})-(\d{2})(?:[Tt ](\d{2}):(\d{2})(?::(\d{2})(?:[.,](\d+))?)?)?\s*(?:([Zz])|([+-])(\d{2})(?::?(\d{2}))?)?$/;
const DAYS_IN_MONTH = [31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

export function canonicalTimestamp(text: string): string {
  const m = TIMESTAMP.exec(text);
  if (!m) return text;
  const year = Number(m[1]);
  const month = Number(m[2]);
  const day = Number(m[3]);
  const hour = Number(m[4] ?? 0);
  const minute = Number(m[5] ?? 0);
  const second = Number(m[6] ?? 0);
  const leap = (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
  if (year < 1 || month < 1 || month > 12 || day < 1 || day > (month === 2 && !leap ? 28 : (DAYS_IN_MONTH[month - 1] ?? 0))) return text;
  if (hour > 23 || minute > 59 || second > 59) return text;
  const micros = m[7] ? Number(m[7].slice(0, 6).padEnd(6, '0')) : 0;
  const millis = Math.floor(micros / 1000) + (micros % 1000 >= 500 ? 1 : 0);
  let offsetMinutes = 0;
  if (m[9]) {
    const oh = Number(m[10]);
    const om = Number(m[11] ?? 0);
    if (oh > 23 || om > 59) return text;
    offsetMinutes = (m[9] === '-' ? -1 : 1) * (oh * 60 + om);
  }
  let base = Date.UTC(year, month - 1, day, hour, minute, second);
  if (year < 100) {
    const date = new Date(0);
    date.setUTCFullYear(year, month - 1, day);
    date.setUTCHours(hour, minute, second, 0);
    base = date.getTime();
  }
  const utc = new Date(base - offsetMinutes * 60_000 + millis);
  const y = utc.getUTCFullYear();
  if (y < 1 || y > 9999) return text;
  return utc.toISOString();
}
