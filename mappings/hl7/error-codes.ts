/**
 * HL7 table 0357 (message error condition codes), the subset we answer with in ERR-3.
 */
export const HL7_ERROR = {
  segmentSequenceError: 100,
  requiredFieldMissing: 101,
  dataTypeError: 102,
  tableValueNotFound: 103,
  unsupportedMessageType: 200,
  unsupportedEventCode: 201,
  unsupportedProcessingId: 202,
  unsupportedVersionId: 203,
  applicationInternalError: 207,
} as const;

/** One code of {@link HL7_ERROR}. */
export type Hl7ErrorCode = (typeof HL7_ERROR)[keyof typeof HL7_ERROR];

/** The table's own display text, sent in ERR-3.2. */
export const HL7_ERROR_TEXT: Readonly<Record<Hl7ErrorCode, string>> = {
  100: 'Segment sequence error',
  101: 'Required field missing',
  102: 'Data type error',
  103: 'Table value not found',
  200: 'Unsupported message type',
  201: 'Unsupported event code',
  202: 'Unsupported processing id',
  203: 'Unsupported version id',
  207: 'Application internal error',
};
