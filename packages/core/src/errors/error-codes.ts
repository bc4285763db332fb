/**
 * The one registry of stable error codes. Callers (scripts, machines, the UI) branch on `code`,
 * never on the message. A code, once published, keeps its meaning; `docs/errors.md` is generated
 * from this table and a test keeps the two equal.
 *
 * `message` is a template: `{name}` is replaced by the detail of that name. Detail names never
 * take the members an HTTP problem document reserves (type, title, status, detail, instance),
 * so details travel flat beside them.
 * `category` says what kind of refusal it is; only the server maps categories to HTTP statuses.
 *
 * @example
 * throw new SerialtraceError('SERIES_NOT_FOUND', { series: 'Widgets' });
 * // message: No series named "Widgets".
 */
export type ErrorCategory =
  | 'invalid' // the request itself is wrong; repeating it will fail again
  | 'malformed' // the request could not be read at all (syntax, types, missing fields)
  | 'unauthenticated' // nobody is signed in, or the credentials are wrong or expired
  | 'forbidden' // signed in, but the role does not allow it
  | 'too_large' // the request body exceeds the limit
  | 'url_too_long' // the request's URL (a path parameter) exceeds the limit
  | 'rate_limited' // too many requests from one key or user; retry later
  | 'not_found' // a named thing does not exist
  | 'conflict' // the request clashes with existing data
  | 'state' // the request is valid but the current state refuses it
  | 'unavailable' // a resource is busy or unreachable; retrying may succeed
  | 'internal'; // a fault of serialtrace itself

export interface ErrorCodeSpec {
  readonly category: ErrorCategory;
  readonly message: string;
  readonly description: string;
}

export const ERROR_CODES = {
  USAGE_INVALID: {
    category: 'invalid',
    message: '{reason}',
    description: 'The command line could not be understood (unknown option, missing argument).',
  },
  REQUEST_INVALID: {
    category: 'malformed',
    message: 'The request is malformed: {reason}',
    description: 'The body, query or path does not have the shape the API documents (wrong type, missing field, not JSON); `problems` lists each.',
  },
  UNAUTHENTICATED: {
    category: 'unauthenticated',
    message: 'Sign in or send an API key: {reason}',
    description: 'No valid session cookie or `Authorization: Bearer` key came with the request, or it expired or was revoked.',
  },
  CREDENTIALS_INVALID: {
    category: 'unauthenticated',
    message: 'Unknown user or wrong password',
    description: 'The login failed; which of the two was wrong is not revealed.',
  },
  FORBIDDEN: {
    category: 'forbidden',
    message: 'The role {role} may not {permission}',
    description: 'The user or key is signed in, but its role does not carry the permission the request needs.',
  },
  PAYLOAD_TOO_LARGE: {
    category: 'too_large',
    message: 'The request body is larger than {limit} bytes',
    description: 'Bodies are limited in size; send fewer serials per request or less metadata.',
  },
  URL_TOO_LONG: {
    category: 'url_too_long',
    message: 'A part of the URL path is longer than {limit} characters',
    description: 'A path parameter (a serial, a name) is longer than any the API accepts; nothing was read.',
  },
  RATE_LIMITED: {
    category: 'rate_limited',
    message: 'Too many requests; retry in {retryAfterSeconds} s',
    description:
      'One key or user sent more requests per minute than the server allows, or sign-in failed too often for the account or the client address; the `Retry-After` header says when to retry.',
  },
  ROUTE_NOT_FOUND: {
    category: 'not_found',
    message: 'No route {method} {url}',
    description: 'The path or method is not part of the API; see /api/v1/openapi.json.',
  },
  PASSWORD_CHANGE_REQUIRED: {
    category: 'forbidden',
    message: 'Choose your own password first: until then only changing it (POST /api/v1/auth/password), GET /api/v1/auth/me and signing out are allowed',
    description:
      'The user signed in with a password someone else set (an admin, or the first start\'s generated one) and must change it before anything else.',
  },
  USER_NOT_FOUND: {
    category: 'not_found',
    message: 'No user named "{username}"',
    description: 'The user does not exist in this company.',
  },
  USERNAME_TAKEN: {
    category: 'conflict',
    message: 'The username "{username}" is taken',
    description: 'Usernames are unique within a company; other companies may use the same name, and whether they do is not revealed.',
  },
  API_KEY_NOT_FOUND: {
    category: 'not_found',
    message: 'No API key {id}',
    description: 'The key does not exist in this company.',
  },
  COMPANY_NAME_TAKEN: {
    category: 'conflict',
    message: 'A company named "{company}" already exists',
    description: 'Company names are unique.',
  },
  LAST_ADMIN: {
    category: 'state',
    message: 'User "{username}" is the last active admin of the company',
    description: 'A company keeps at least one active admin; promote another user first.',
  },
  NOT_READY: {
    category: 'unavailable',
    message: 'The server is not ready: {reason}',
    description: 'The database is unreachable or the server is shutting down; retry, or ask another server.',
  },
  VALUE_INVALID: {
    category: 'invalid',
    message: 'Invalid {field}: {reason}',
    description: 'A field has a value of the wrong kind or out of its range; `field` names it.',
  },
  FORMAT_TOKEN_UNKNOWN: {
    category: 'invalid',
    message: 'Unknown token {token} at position {position}{hint}',
    description: 'The format contains a `{...}` token that does not exist.',
  },
  FORMAT_BRACE_UNBALANCED: {
    category: 'invalid',
    message: 'Unbalanced "{brace}" at position {position}: {reason}',
    description: 'A `{` without its `}` or a `}` without its `{`; literal braces are written `{{` and `}}`.',
  },
  FORMAT_SEQUENCE_MISSING: {
    category: 'invalid',
    message: 'The format has no sequence token; add {SEQUENCE} or {####}',
    description: 'Every format needs a sequence token, or its serials could not be unique.',
  },
  FORMAT_NOT_UNIQUE: {
    category: 'invalid',
    message: '{reason}',
    description:
      'Under the chosen reset rule the format would repeat serials; the message says which tokens it needs.',
  },
  FORMAT_WEEK_YEAR_MISMATCH: {
    category: 'invalid',
    message: '{reason}',
    description:
      'A weekly reset with a calendar-year token and `{WW}`: around New Year the same year and week recur; use `{GGGG}` or `{GG}`.',
  },
  FORMAT_AMBIGUOUS: {
    category: 'invalid',
    message: '{reason}',
    description:
      'A warning: context values of different lengths around the sequence could spell one serial twice. Such a value is skipped at issue time (and audited), so keep context tokens on one side of the sequence.',
  },
  FORMAT_CHARACTER_INVALID: {
    category: 'invalid',
    message: 'Character {character} at position {position} cannot appear in a serial',
    description: 'Control characters cannot be printed on a label or scanned back.',
  },
  FORMAT_TOO_LONG: {
    category: 'invalid',
    message: 'The format is {actual} characters long; at most {max} are allowed',
    description: 'Formats are limited in length so that serials fit on labels and in barcodes.',
  },
  TIME_ZONE_UNKNOWN: {
    category: 'invalid',
    message: 'Unknown time zone "{timeZone}"; use an IANA name such as Europe/Berlin or UTC',
    description: 'The time zone is not an IANA time zone known to the runtime.',
  },
  SHIFT_CALENDAR_INVALID: {
    category: 'invalid',
    message: 'Invalid shift calendar: {reason}',
    description: 'Shift starts must be distinct `HH:MM` times, optionally labelled `LABEL=HH:MM`.',
  },
  METADATA_INVALID: {
    category: 'invalid',
    message: 'Invalid metadata: {reason}',
    description: 'Metadata must be a JSON object (its text as every text field: well-formed, nested at most 32 levels).',
  },
  METADATA_TOO_LARGE: {
    category: 'invalid',
    message: 'The {field} is too large: {reason}',
    description:
      'Metadata is at most 16 KiB per record, and one request may write at most 8 MiB of metadata and context over all its records (quantity times their size); nothing was written.',
  },
  CONTEXT_MISSING: {
    category: 'invalid',
    message: 'The format needs {tokens} but the request does not give {them}',
    description:
      'The format uses context tokens (`{LINE}`, `{PLANT}`, ...) that the request did not supply; nothing was consumed.',
  },
  CONTEXT_INVALID: {
    category: 'invalid',
    message: 'Invalid context {field}: {reason}',
    description: 'A context value is empty, too long, contains control characters, or contradicts the shift calendar.',
  },
  CLOCK_INVALID: {
    category: 'invalid',
    message: 'Invalid clock setting "{value}": expected an ISO-8601 instant such as 2025-06-15T08:30:00Z',
    description: 'The fixed clock (`SERIALTRACE_NOW`, `--at`) is not an ISO-8601 instant with a time zone.',
  },
  QUANTITY_OUT_OF_RANGE: {
    category: 'invalid',
    message: 'Quantity must be a whole number from {min} to {max}; got {value}',
    description: 'A generation request asks for fewer than 1 or more than 10,000 serials.',
  },
  GS1_KEY_INVALID: {
    category: 'invalid',
    message: 'Invalid GS1 {kind} "{key}": {reason}',
    description: 'A GS1 key (GTIN-8/12/13/14, GLN, SSCC) or the body to complete has non-digits or the wrong number of digits.',
  },
  GS1_CHECK_DIGIT_INVALID: {
    category: 'invalid',
    message: 'The check digit of {kind} "{key}" is {actual}; the GS1 mod-10 check digit is {expected}',
    description: 'The last digit of a GS1 key does not match the mod-10 check digit of the digits before it.',
  },
  GS1_SYNTAX_INVALID: {
    category: 'invalid',
    message: 'Cannot read the GS1 data at position {position}: {reason}',
    description: 'The bracketed form or element string is malformed: a bracket without its AI, a value cut short, an unknown symbology identifier.',
  },
  GS1_AI_UNKNOWN: {
    category: 'invalid',
    message: 'Unknown GS1 application identifier ({ai})',
    description: 'The AI is not in the GS1 Barcode Syntax Dictionary this version of serialtrace carries.',
  },
  GS1_AI_VALUE_INVALID: {
    category: 'invalid',
    message: 'The value "{value}" of AI ({ai}) breaks the rule {rule}: {reason}',
    description:
      'A value does not fit its AI: `rule` is `length`, `charset` or the name of the GS1 syntax test it fails (`csum` for a check digit, `yymmd0` for a date, ...).',
  },
  GS1_AI_DUPLICATE: {
    category: 'invalid',
    message: 'AI ({ai}) appears more than once with different values',
    description: 'One message may repeat an AI only with the same value; two serials or two expiry dates contradict each other.',
  },
  GS1_AI_REQUIRED_MISSING: {
    category: 'invalid',
    message: 'AI ({ai}) needs {required} in the same data',
    description: 'GS1 pairs some AIs: a serial (21) or lot (10) means nothing without the GTIN (01) it belongs to.',
  },
  GS1_AI_EXCLUDED: {
    category: 'invalid',
    message: 'AI ({ai}) may not appear together with ({other})',
    description: 'GS1 forbids some pairs of AIs in one message, such as a GTIN (01) with a content GTIN (02).',
  },
  GS1_DIGITAL_LINK_INVALID: {
    category: 'invalid',
    message: 'Invalid GS1 Digital Link URI: {reason}',
    description:
      'The URI has no primary key, a key qualifier out of the order the dictionary gives (01 then 22, 10, 21), an AI in the path that is no qualifier of its key, or a data attribute that may not be one; `rule` says which.',
  },
  EPC_URN_INVALID: {
    category: 'invalid',
    message: 'Invalid EPC URN "{urn}": {reason}',
    description: 'The text is not an SGTIN, SSCC or SGLN pure identity URN of the EPC Tag Data Standard.',
  },
  EPCIS_IDENTIFIER_INVALID: {
    category: 'invalid',
    message: 'Invalid {kind} "{value}": {reason}',
    description:
      'An identifier in EPCIS (an EPC, a class, a location, a party) is neither a well-formed EPC URN nor a GS1 Digital Link URI of its kind, or its check digit is wrong; `kind` names what was expected.',
  },
  EPCIS_DOCUMENT_INVALID: {
    category: 'invalid',
    message: 'Not an EPCIS document: {reason}',
    description: 'The body is not JSON, or not an `EPCISDocument` (or a single event where one is expected), so no event in it can be read.',
  },
  EPCIS_EVENT_INVALID: {
    category: 'invalid',
    message: 'Event {event}: {reason}',
    description:
      'A captured event breaks the EPCIS 2.0 JSON schema or a rule the schema cannot say (`rule`: `schema`, `timezone`, `action`, `quantity`, `sensor`, `identifier`); `event` is its index in the document, `eventID` its id when it has one, and `field` the JSON pointer of the value.',
  },
  EPCIS_EVENT_DUPLICATE: {
    category: 'conflict',
    message: 'Event {event} was captured before (eventID {eventID}); nothing was stored twice',
    description:
      'An event with the same eventID, or the same event hash, is already in the repository. Capture it again only to correct it, with an errorDeclaration.',
  },
  EPCIS_EVENT_NOT_FOUND: {
    category: 'not_found',
    message: 'No EPCIS event {eventID}',
    description: 'The repository holds no event with this eventID in the company.',
  },
  EPCIS_CAPTURE_NOT_FOUND: {
    category: 'not_found',
    message: 'No capture job {captureID}',
    description: 'The capture job does not exist, or belongs to another company.',
  },
  EPCIS_QUERY_PARAMETER_INVALID: {
    category: 'invalid',
    message: 'Query parameter {parameter}: {reason}',
    description:
      'A parameter of an EPCIS query is unknown, malformed (a time that is no ISO-8601 instant, a number that is none, an identifier in neither URN nor Digital Link form) or used in a way the standard does not allow; `parameter` names it. Answered as `epcisException:QueryParameterException`.',
  },
  EPCIS_QUERY_TOO_LARGE: {
    category: 'invalid',
    message: 'The query selects more than {limit} events (maxEventCount)',
    description:
      'The query gave `maxEventCount` and selects more events than that. Narrow it, or page through it with `perPage` instead. Answered as `epcisException:QueryTooLargeException`.',
  },
  EPCIS_PAGE_TOKEN_INVALID: {
    category: 'invalid',
    message: 'The nextPageToken is not one this server gave for this query: {reason}',
    description: 'A `nextPageToken` continues the query that answered it, with the same parameters; one that was altered, or given with other parameters, is refused.',
  },
  EPCIS_RESOURCE_NOT_FOUND: {
    category: 'not_found',
    message: 'No EPCIS resource {resource}',
    description: 'The path names no resource of the EPCIS REST bindings: an event type that is none of the five of EPCIS 2.0, for instance.',
  },
  EPCIS_VERSION_NOT_ACCEPTABLE: {
    category: 'invalid',
    message: 'This repository speaks {standard} {served}; the request asks for {asked}',
    description:
      'The request\'s `GS1-EPCIS-Version`, `GS1-EPCIS-Min`/`-Max`, `GS1-CBV-Version` or `GS1-CBV-Min`/`-Max` header excludes EPCIS 2.0.0 and CBV 2.0.0, the versions served. Answered 406, as `epcisException:NotAcceptableException`.',
  },
  UNIT_CODE_UNKNOWN: {
    category: 'not_found',
    message: 'No unit is known by "{value}": {reason}',
    description:
      'A code given where a unit or container is asked for (to pack, unpack, or read its contents) names nothing serialtrace can identify: a bare serial that no record has, or a record whose series has no GS1 identity (bind the series to a GTIN, or use SSCCs, to pack its units).',
  },
  AGGREGATION_SELF: {
    category: 'invalid',
    message: '{identifier} cannot be packed into itself',
    description: 'The parent is among the children of a pack.',
  },
  AGGREGATION_CYCLE: {
    category: 'conflict',
    message: '{child} holds {parent}: packing it into {parent} would put it inside itself',
    description: 'A child of a pack contains the parent, at some level; unpack the parent from it first.',
  },
  AGGREGATION_CHILD_PACKED: {
    category: 'conflict',
    message: '{child} is in {parent} already',
    description: 'A unit is in one parent at a time. Unpack it first, or pack with `move` (`--move`) to take it out of its parent and into the new one in one request.',
  },
  UNIT_ENDED: {
    category: 'conflict',
    message: '{unit} is {reason} and cannot be {operation}',
    description: 'A unit whose events say it was decommissioned, destroyed or recalled cannot be packed (nor serve as a parent), shipped or received.',
  },
  AGGREGATION_NOT_CONTAINED: {
    category: 'conflict',
    message: '{child} is not in {parent}',
    description: 'An unpack names a child that its parent does not hold now.',
  },
  AGGREGATION_EMPTY: {
    category: 'conflict',
    message: '{parent} holds nothing to unpack',
    description: 'An unpack without children takes out everything the parent holds; it holds nothing.',
  },
  MASTER_KEY_MISSING: {
    category: 'unavailable',
    message: 'Series "{series}" is randomised, and this server has no master key: set SERIALTRACE_MASTER_KEY',
    description:
      'Randomised series keep their secret key encrypted under the server master key (`SERIALTRACE_MASTER_KEY`, 32 bytes as 64 hex digits or base64). Without it no randomised series can be created or issue serials.',
  },
  MASTER_KEY_INVALID: {
    category: 'invalid',
    message: 'The master key is not usable: {reason}',
    description: 'The configured master key is not 32 bytes given as 64 hex digits or as base64.',
  },
  MASTER_KEY_MISMATCH: {
    category: 'unavailable',
    message:
      'Series "{series}" was keyed under master key {expected}, but this server has master key {actual}',
    description:
      'The series key was encrypted under another master key (or its stored form was altered), so it cannot be read; nothing is issued rather than risk a repeat. Configure the master key the series was created with.',
  },
  AUDIT_KEY_MISSING: {
    category: 'invalid',
    message: 'No audit key: set SERIALTRACE_AUDIT_KEY to sign or check audit checkpoints',
    description:
      'Signing a checkpoint of the audit chain, or holding the chain against one, needs the operator\'s audit key (`SERIALTRACE_AUDIT_KEY`: 32 bytes as hex or base64 for HMAC-SHA256, or an Ed25519 key in PEM), kept outside the database.',
  },
  AUDIT_KEY_INVALID: {
    category: 'invalid',
    message: 'The audit key is not usable: {reason}',
    description: 'SERIALTRACE_AUDIT_KEY is neither 32 bytes (hex or base64) nor an Ed25519 private or public key in PEM, or a public key was given where signing needs the private one.',
  },
  AUDIT_CHECKPOINT_INVALID: {
    category: 'invalid',
    message: 'The audit checkpoint cannot be trusted: {reason}',
    description:
      'The checkpoint file is not one serialtrace wrote, was changed after it was signed, was signed with another key, or belongs to another company; the chain is not held against it.',
  },
  AUDIT_CHAIN_BROKEN: {
    category: 'state',
    message: 'The audit trail does not verify ({problemCount} problems, the first at entry #{seq}), so no checkpoint is signed',
    description: 'A checkpoint vouches for the chain as it stands; one is signed only for a chain that verifies. Run `serialtrace audit --verify` to see every problem.',
  },
  EVENT_UNDECLARED: {
    category: 'internal',
    message: 'The audit event {event} cannot be written: {reason}',
    description:
      'An audit entry was about to be written under an action the event catalog does not declare, about another kind of entity than its action\'s, or with data of another shape than declared (docs/events.md); nothing was written. A fault of serialtrace itself.',
  },
  LABEL_PRINT_REFUSED: {
    category: 'state',
    message: 'The label of "{serial}" is not printed: the record is {recordStatus}',
    description: 'A voided or scrapped serial left the line for good; printing its label would put a dead serial on a product.',
  },
  SERIES_GUESS_LIMIT: {
    category: 'state',
    message:
      'Randomised series "{series}" cannot issue {requested} more serial(s) in period {period}: {remaining} left of {limit}, the most that keeps the chance of guessing a valid serial below 1 in 10,000',
    description:
      'A randomised series issues at most one serial per 10,000 values of its space in each period (the EU Falsified Medicines Directive bound); nothing was written. Widen the sequence in a new series.',
  },
  SERIES_NOT_FOUND: {
    category: 'not_found',
    message: 'No series named "{series}"',
    description: 'The named series does not exist in this company.',
  },
  SERIES_NAME_TAKEN: {
    category: 'conflict',
    message: 'A series named "{series}" already exists',
    description: 'Series names are unique within a company.',
  },
  SERIES_EXHAUSTED: {
    category: 'state',
    message:
      'Series "{series}" cannot issue {requested} more serial(s) in period {period}: {remaining} left of {capacity}',
    description:
      'The next value would not fit in the sequence width; nothing was written. Raise the minimum length (a new series) or allow growth.',
  },
  SERIES_CHANGE_UNSAFE: {
    category: 'state',
    message: 'Series "{series}" has issued serials, so {field} cannot change: {reason}',
    description: 'A change to a series that has issued serials could make it repeat one; create a new series instead.',
  },
  LABEL_TEMPLATE_INVALID: {
    category: 'invalid',
    message: 'Invalid label template {field}: {reason}',
    description:
      'A label template breaks a rule: a missing or mistyped field, a size or position outside its range or outside the label, an unknown barcode type or an unknown `{field}` name; `field` names the part (`barcode.type`, `lines.2.text`, ...).',
  },
  LABEL_TEMPLATE_NOT_FOUND: {
    category: 'not_found',
    message: 'No label template named "{template}"',
    description: 'The named label template is neither built in nor stored.',
  },
  LABEL_TEMPLATE_READONLY: {
    category: 'conflict',
    message: 'Label template "{template}" is built in and cannot be replaced or deleted',
    description: 'Built-in label templates (gs1-product, sscc-logistic, serial, digital-link) are fixed; store a copy under another name to change it.',
  },
  LABEL_DATA_MISSING: {
    category: 'invalid',
    message: 'Label template "{template}" prints the field {field}, which this record has no value for',
    description:
      'A barcode or a line that is not optional prints a field the record lacks (a lot, an expiry, a GTIN, ...); choose a template that does not print it or mark the line optional.',
  },
  LABEL_BARCODE_INVALID: {
    category: 'invalid',
    message: 'Cannot draw a {barcode} barcode: {reason}',
    description: 'The barcode data cannot be encoded in the symbology of the template or do not fit its size on the label.',
  },
  SCRIPT_NOT_FOUND: {
    category: 'not_found',
    message: 'No script named "{script}"',
    description: 'The named script does not exist in this company.',
  },
  SCRIPT_RUN_NOT_FOUND: {
    category: 'not_found',
    message: 'No script run {id}',
    description: 'No run of that number was recorded in this company.',
  },
  SCRIPT_INVALID: {
    category: 'invalid',
    message: 'Script "{script}" cannot be used: {reason}',
    description:
      'The script does not compile, or defines no `main(context)` function; `line` and `column` point at a syntax error. Nothing was saved or run.',
  },
  SCRIPT_FAILED: {
    category: 'state',
    message: 'Script "{script}" failed: {reason}',
    description:
      'The script threw an error of its own (`reason` is its message, `stack` where it was thrown). Everything the run generated or changed was undone.',
  },
  SCRIPT_TIMEOUT: {
    category: 'state',
    message: 'Script "{script}" ran longer than {limitMs} ms and was stopped',
    description: 'A run exceeded its time limit; everything it generated or changed was undone.',
  },
  SCRIPT_MEMORY_EXCEEDED: {
    category: 'state',
    message: 'Script "{script}" used more than {limitBytes} bytes of memory (or nested calls too deeply) and was stopped',
    description: 'A run exceeded its memory or stack limit; everything it generated or changed was undone.',
  },
  SCRIPT_API_LIMIT: {
    category: 'state',
    message: 'Script "{script}" made more than {limit} calls to the manufacturing and documents APIs and was stopped',
    description: 'A run exceeded its limit on API calls; everything it generated or changed was undone.',
  },
  SCRIPT_OUTPUT_INVALID: {
    category: 'state',
    message: 'Script "{script}" returned a value that is not JSON: {reason}',
    description: 'What `main` returns must survive JSON (no functions, cycles or undefined at the top); the run was undone.',
  },
  SCRIPT_OUTPUT_TOO_LARGE: {
    category: 'state',
    message: 'Script "{script}" returned {bytes} bytes of JSON, more than the {limitBytes} a result may have',
    description: 'What `main` returns is stored with the run and answered; its JSON is limited (`SERIALTRACE_SCRIPT_RESULT_LIMIT_KB`). The run was undone.',
  },
  RECORD_NOT_FOUND: {
    category: 'not_found',
    message: 'No record with serial "{serial}"{scope}',
    description: 'No issued serial matches.',
  },
  SERIAL_AMBIGUOUS: {
    category: 'conflict',
    message: 'Serial "{serial}" exists in several series ({series}); name the series',
    description: 'Two non-global series issued the same text; the request must say which series it means.',
  },
  STATUS_UNKNOWN: {
    category: 'invalid',
    message: 'Unknown status "{value}"; expected one of {allowed}',
    description: 'The status is not one of generated, printed, in_progress, completed, voided, scrapped.',
  },
  STATUS_TRANSITION_INVALID: {
    category: 'state',
    message: 'A record cannot move from {from} to {to}: {why}',
    description:
      'Records move forward only (generated, printed, in_progress, completed; voided or scrapped from any open state); completed, voided and scrapped are final.',
  },
  IDEMPOTENCY_KEY_REUSED: {
    category: 'conflict',
    message: 'Idempotency key "{key}" was used for a different request',
    description: 'A retry must repeat the original request exactly; a new request needs a new key.',
  },
  STORE_BUSY: {
    category: 'unavailable',
    message: 'The database stayed busy for {timeoutMs} ms; nothing was written, try again',
    description:
      'Another writer held the database (SQLite), or a lock, a statement or the wait for a free connection (PostgreSQL) took longer than its timeout.',
  },
  STORE_UNAVAILABLE: {
    category: 'unavailable',
    message: 'The database cannot be reached ({reason}); try again',
    description:
      'The database server is down, unreachable, or refused the connection. A request cut off while it was committing may have been written: retry a generation with the same idempotency key, and it is never issued twice.',
  },
  COPY_TARGET_NOT_EMPTY: {
    category: 'state',
    message: 'The target database already holds data ({tables}); copy only into a new, empty database or schema',
    description: 'A copy never merges two installations: their ids, counters and audit chains would collide.',
  },
  STORE_SCHEMA_NEWER: {
    category: 'state',
    message: 'The database was written by a newer serialtrace (schema {found}, this version knows {known})',
    description: 'Upgrade serialtrace before opening this database.',
  },
  INTERNAL_ERROR: {
    category: 'internal',
    message: 'Internal error; nothing was written',
    description: 'A fault inside serialtrace. The transaction was rolled back.',
  },
} as const satisfies Record<string, ErrorCodeSpec>;

export type ErrorCode = keyof typeof ERROR_CODES;

export function isErrorCode(value: string): value is ErrorCode {
  return Object.hasOwn(ERROR_CODES, value);
}
