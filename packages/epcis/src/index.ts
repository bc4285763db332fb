/**
 * EPCIS 2.0: what serialtrace knows of the standard's documents and events, computed without a
 * database: validation of captured documents and the CBV 2.0 event hash.
 */
export {};
