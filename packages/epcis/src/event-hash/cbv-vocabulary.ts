/**
 * The CBV 2.0 and GS1 web vocabulary an EPCIS 2.0 JSON-LD document may write as bare terms
 * (`"bizStep": "shipping"`), keyed by the name of the EPCIS JSON schema definition that lists
 * the terms, with the web URI each expands to (through the EPCIS 2.0 JSON-LD context).
 *
 * @example `${BARE_TERM_VOCABULARIES.bizStep.prefix}shipping` === 'https://ref.gs1.org/cbv/BizStep-shipping'
 */
export const BARE_TERM_VOCABULARIES = {
  bizStep: {
    prefix: 'https://ref.gs1.org/cbv/BizStep-',
    terms: [
      'accepting', 'arriving', 'assembling', 'collecting', 'commissioning', 'consigning', 'creating_class_instance',
      'cycle_counting', 'decommissioning', 'departing', 'destroying', 'disassembling', 'dispensing', 'encoding',
      'entering_exiting', 'holding', 'inspecting', 'installing', 'killing', 'loading', 'other', 'packing', 'picking',
      'receiving', 'removing', 'repackaging', 'repairing', 'replacing', 'reserving', 'retail_selling', 'shipping',
      'staging_outbound', 'stock_taking', 'stocking', 'storing', 'transporting', 'unloading', 'unpacking', 'void_shipping',
      'sensor_reporting', 'sampling',
    ],
  },
  disposition: {
    prefix: 'https://ref.gs1.org/cbv/Disp-',
    terms: [
      'active', 'container_closed', 'damaged', 'destroyed', 'dispensed', 'disposed', 'encoded', 'expired', 'in_progress',
      'in_transit', 'inactive', 'no_pedigree_match', 'non_sellable_other', 'partially_dispensed', 'recalled', 'reserved',
      'retail_sold', 'returned', 'sellable_accessible', 'sellable_not_accessible', 'stolen', 'unknown', 'available',
      'completeness_verified', 'completeness_inferred', 'conformant', 'container_open', 'mismatch_instance',
      'mismatch_class', 'mismatch_quantity', 'needs_replacement', 'non_conformant', 'unavailable',
    ],
  },
  'bizTransaction-type': {
    prefix: 'https://ref.gs1.org/cbv/BTT-',
    terms: ['bol', 'cert', 'desadv', 'inv', 'pedigree', 'po', 'poc', 'prodorder', 'recadv', 'rma', 'testprd', 'testres', 'upevt'],
  },
  'source-dest-type': {
    prefix: 'https://ref.gs1.org/cbv/SDT-',
    terms: ['owning_party', 'possessing_party', 'location'],
  },
  measurementType: {
    prefix: 'https://gs1.org/voc/',
    terms: [
      'AbsoluteHumidity', 'AbsorbedDose', 'AbsorbedDoseRate', 'Acceleration', 'Radioactivity', 'Altitude',
      'AmountOfSubstance', 'AmountOfSubstancePerUnitVolume', 'Angle', 'AngularAcceleration', 'AngularMomentum',
      'AngularVelocity', 'Area', 'Capacitance', 'Conductance', 'Conductivity', 'Count', 'Density', 'Dimensionless',
      'DoseEquivalent', 'DoseEquivalentRate', 'DynamicViscosity', 'ElectricCharge', 'ElectricCurrent',
      'ElectricCurrentDensity', 'ElectricFieldStrength', 'Energy', 'Exposure', 'Force', 'Frequency', 'Illuminance',
      'Inductance', 'Irradiance', 'KinematicViscosity', 'Length', 'LinearMomentum', 'Luminance', 'LuminousFlux',
      'LuminousIntensity', 'MagneticFlux', 'MagneticFluxDensity', 'MagneticVectorPotential', 'Mass', 'MassConcentration',
      'MassFlowRate', 'MassPerAreaTime', 'MemoryCapacity', 'MolalityOfSolute', 'MolarEnergy', 'MolarMass', 'MolarVolume',
      'Power', 'Pressure', 'RadiantFlux', 'RadiantIntensity', 'RelativeHumidity', 'Resistance', 'Resistivity',
      'SolidAngle', 'SpecificVolume', 'Speed', 'SurfaceDensity', 'SurfaceTension', 'Temperature', 'Time', 'Torque',
      'Voltage', 'Volume', 'VolumeFlowRate', 'VolumeFraction', 'VolumetricFlux', 'Wavenumber',
    ],
  },
  sensorAlertType: {
    prefix: 'https://gs1.org/voc/',
    terms: ['ALARM_CONDITION', 'ERROR_CONDITION'],
  },
  component: {
    prefix: 'https://ref.gs1.org/cbv/Comp-',
    terms: [
      'x', 'y', 'z', 'axial_distance', 'azimuth', 'height', 'spherical_radius', 'polar_angle', 'elevation_angle',
      'easting', 'northing', 'latitude', 'longitude', 'altitude',
    ],
  },
  'error-reason': {
    prefix: 'https://ref.gs1.org/cbv/ER-',
    terms: ['did_not_occur', 'incorrect_data'],
  },
} as const satisfies Record<string, { readonly prefix: string; readonly terms: readonly string[] }>;

export type BareTermVocabulary = keyof typeof BARE_TERM_VOCABULARIES;

/**
 * Which member takes bare terms of which vocabulary, by the standard structure that holds it:
 * `type` means a business transaction type in `bizTransactionList` but a measurement type in
 * `sensorReport`, as the scoped contexts of the EPCIS 2.0 JSON-LD context say.
 */
export const BARE_TERM_MEMBERS: Readonly<Record<string, Readonly<Record<string, BareTermVocabulary>>>> = {
  event: { bizStep: 'bizStep', disposition: 'disposition' },
  persistentDisposition: { set: 'disposition', unset: 'disposition' },
  bizTransactionList: { type: 'bizTransaction-type' },
  sourceList: { type: 'source-dest-type' },
  destinationList: { type: 'source-dest-type' },
  sensorReport: { type: 'measurementType', exception: 'sensorAlertType', component: 'component' },
  errorDeclaration: { reason: 'error-reason' },
};

/** The EPCIS 1.x CBV URNs and the CBV 2.0 web URIs that replace them. */
export const LEGACY_CBV_URN_PREFIXES: readonly (readonly [urn: string, webUri: string])[] = [
  ['urn:epcglobal:cbv:bizstep:', 'https://ref.gs1.org/cbv/BizStep-'],
  ['urn:epcglobal:cbv:disp:', 'https://ref.gs1.org/cbv/Disp-'],
  ['urn:epcglobal:cbv:btt:', 'https://ref.gs1.org/cbv/BTT-'],
  ['urn:epcglobal:cbv:sdt:', 'https://ref.gs1.org/cbv/SDT-'],
  ['urn:epcglobal:cbv:er:', 'https://ref.gs1.org/cbv/ER-'],
];

/** The prefixes the EPCIS 2.0 JSON-LD context itself defines, so documents may use them undeclared. */
export const EPCIS_CONTEXT_PREFIXES: Readonly<Record<string, string>> = {
  epcis: 'https://ref.gs1.org/epcis/',
  cbv: 'https://ref.gs1.org/cbv/',
  cbvmda: 'urn:epcglobal:cbv:mda:',
  gs1: 'https://gs1.org/voc/',
  rdfs: 'http://www.w3.org/2000/01/rdf-schema#',
  owl: 'http://www.w3.org/2002/07/owl#',
  xsd: 'http://www.w3.org/2001/XMLSchema#',
  dcterms: 'http://purl.org/dc/terms/',
};
