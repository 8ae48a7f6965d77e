/** Why an envelope could not be made or opened. The values are stable: scripts may match them. */
export const EnvelopeErrorCode = {
  NotAnEnvelope: 'Envelope.NotAnEnvelope',
  UnsupportedVersion: 'Envelope.UnsupportedVersion',
  HeaderAuthenticationFailed: 'Envelope.HeaderAuthenticationFailed',
  SegmentAuthenticationFailed: 'Envelope.SegmentAuthenticationFailed',
  Truncated: 'Envelope.Truncated',
  ContextMismatch: 'Envelope.ContextMismatch',
  KeyMismatch: 'Envelope.KeyMismatch',
  DataKeyInvalid: 'Envelope.DataKeyInvalid',
  TooLarge: 'Envelope.TooLarge',
} as const;
export type EnvelopeErrorCode = (typeof EnvelopeErrorCode)[keyof typeof EnvelopeErrorCode];

const MESSAGES: Readonly<Record<EnvelopeErrorCode, string>> = {
  [EnvelopeErrorCode.NotAnEnvelope]: 'the input is not an Arca envelope (no ARCAENV header)',
  [EnvelopeErrorCode.UnsupportedVersion]: 'the envelope uses a format version this Arca cannot read',
  [EnvelopeErrorCode.HeaderAuthenticationFailed]: 'the envelope header failed authentication: it was damaged or changed',
  [EnvelopeErrorCode.SegmentAuthenticationFailed]:
    'a segment failed authentication: the data was damaged, changed, reordered, cut or appended to',
  [EnvelopeErrorCode.Truncated]: 'the envelope ends before its final segment: it was truncated',
  [EnvelopeErrorCode.ContextMismatch]: 'the encryption context given does not match the one the data was sealed with',
  [EnvelopeErrorCode.KeyMismatch]: 'the envelope is sealed under another master key than the one required',
  [EnvelopeErrorCode.DataKeyInvalid]: 'the KMS returned a data key that is not 32 bytes',
  [EnvelopeErrorCode.TooLarge]: 'the input exceeds 2^32 segments, the most one envelope can hold',
};

/**
 * A failure to make or open an envelope. The message never carries key material or plaintext;
 * `detail` (non-secret: a segment number, a version) is appended when there is one.
 */
export class EnvelopeError extends Error {
  readonly code: EnvelopeErrorCode;

  constructor(code: EnvelopeErrorCode, detail?: string) {
    super(detail === undefined ? MESSAGES[code] : `${MESSAGES[code]} (${detail})`);
    this.name = 'EnvelopeError';
    this.code = code;
  }
}
