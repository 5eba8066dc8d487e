// Types for crc-32's CRC-32C entry point, which its package ships without a declaration of its own.
declare module 'crc-32/crc32c' {
  /** CRC-32C of `data`, as a signed 32-bit integer. */
  export function buf(data: Uint8Array, seed?: number): number;
}
