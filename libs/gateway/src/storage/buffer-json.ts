/**
 * JSON that keeps Buffers (payloads, correlation data) as base64 instead of Node's
 * `{type: 'Buffer', data: [...]}`, which is four times larger and comes back as an array.
 */
const BASE64 = '$b64';

export function toJson(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) => {
    // Buffer#toJSON has already run when the replacer sees the value.
    if (v && typeof v === 'object' && (v as { type?: unknown }).type === 'Buffer' && Array.isArray((v as { data?: unknown }).data)) {
      return { [BASE64]: Buffer.from((v as { data: number[] }).data).toString('base64') };
    }
    return v;
  });
}

export function fromJson<T>(text: string): T {
  return JSON.parse(text, (_key, v: unknown) => {
    if (v && typeof v === 'object' && typeof (v as Record<string, unknown>)[BASE64] === 'string') return Buffer.from((v as Record<string, string>)[BASE64], 'base64');
    return v;
  }) as T;
}
