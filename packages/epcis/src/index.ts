/**
 * EPCIS 2.0: what serialtrace knows of the standard's documents and events, computed without a
 * database: validation of captured documents and the CBV 2.0 event hash.
 */
export { validateEpcisDocument, validateEpcisEvent, type EpcisValidation } from './validation/validate-document.js';
export { schemaErrors } from './validation/epcis-schema.js';
export type { EpcisRule } from './validation/event-rules.js';
export { eventHashId } from './event-hash/event-hash.js';
export { eventPreHash, type EventHashOptions } from './event-hash/pre-hash.js';
export { canonicalIdentifier, cbvUri, eventNormalForm, linkRole, type EventIdentifierRole, type EventNormalForm, type LinkRole } from './repository/event-normal-form.js';
export { parseEpcisQuery, type EpcisIdentifierSelection, type EpcisQuery, type EpcisQueryParameters } from './query/query-parameters.js';
export {
  meetsResidual,
  type Comparison,
  type FieldScope,
  type FieldTest,
  type ResidualCondition,
  type SensorNumberMember,
  type SensorTextMember,
} from './query/event-predicate.js';
export { EPC_FORMATS, formatEventIdentifiers, parseEpcFormat, type EpcFormat } from './query/epc-format.js';
export { directChildren, inOrder, parentAfter, type AggregationFact } from './aggregation/containment.js';
export { endOf, NO_STATE, unitState, type InstanceRole, type UnitEvent, type UnitState } from './aggregation/unit-state.js';
