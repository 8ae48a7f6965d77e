/** Alibaba's wire form of a time: UTC `yyyy-MM-ddTHH:mm:ssZ`, no fraction. */
export function formatWireTime(epochMs: number): string {
  return new Date(epochMs).toISOString().replace(/\.\d{3}Z$/, 'Z');
}
