import { readFileSync } from 'node:fs';
import { Ajv, type AnySchemaObject, type ErrorObject, type ValidateFunction } from 'ajv';
import ajvFormats from 'ajv-formats';

// ajv-formats is CommonJS: under ESM its function is the default export's `default` property.
const addFormats = ajvFormats.default;

/** The GS1 EPCIS 2.0 JSON schema as published, shipped in the package's `data/` folder. */
const SCHEMA_URL = new URL('../../data/epcis-json-schema.json', import.meta.url);

/**
 * A bare measurement type written as a GS1 Web Vocabulary term (`EffectiveDoseRate`, read as
 * `gs1:EffectiveDoseRate` through the EPCIS JSON-LD context).
 */
export const MEASUREMENT_TERM = /^[A-Z][A-Za-z0-9_]*$/;

/**
 * The schema with the two places where it is stricter than EPCIS 2.0 itself loosened:
 * - a sensorReport needs a `type` or an `exception` (the XSD makes both optional, and an alarm
 *   report names its condition, not a measurement); the sensor rule checks that instead;
 * - `type` of a sensorReport may be any Web Vocabulary term: the schema lists a snapshot of the
 *   code list, and GS1's own examples use later terms (gs1:EffectiveDoseRate, gs1:Molar_concentration).
 */
export function amendEpcisSchema(published: AnySchemaObject): AnySchemaObject {
  const schema = structuredClone(published);
  const definitions = schema['definitions'] as Record<string, AnySchemaObject>;
  const sensorReport = definitions['sensorReport'];
  const measurementType = definitions['measurementType'];
  if (sensorReport === undefined || measurementType === undefined || !Array.isArray(measurementType['anyOf'])) {
    throw new Error('The EPCIS JSON schema no longer has the sensorReport and measurementType definitions it is amended in');
  }
  delete sensorReport['required'];
  (measurementType['anyOf'] as AnySchemaObject[]).push({ type: 'string', pattern: MEASUREMENT_TERM.source });
  return schema;
}

let validator: ValidateFunction | undefined;

/** The compiled validator of documents and single events, built on first use, once per process. */
export function epcisSchemaValidator(): ValidateFunction {
  if (validator === undefined) {
    const published = JSON.parse(readFileSync(SCHEMA_URL, 'utf8')) as AnySchemaObject;
    // strict off: the GS1 schema uses keywords side by side in ways strict mode rejects.
    const ajv = new Ajv({ allErrors: true, strict: false });
    addFormats(ajv);
    validator = ajv.compile(amendEpcisSchema(published));
  }
  return validator;
}

/** Every schema error of a value; empty when it passes. */
export function schemaErrors(value: unknown): readonly ErrorObject[] {
  const validate = epcisSchemaValidator();
  return validate(value) ? [] : [...(validate.errors ?? [])];
}
