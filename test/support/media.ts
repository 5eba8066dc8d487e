// Writes media as the Python client does (docs/PROTOCOL.md, `media`): content-addressed files under
// <logDir>/media/<2 hex>/<sha256>.<format> and the records that name them, for the chart panel's media
// tests. PNGs are encoded here (zlib and a CRC table) so the tests need neither Python nor an image library.
import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as zlib from 'node:zlib';

const CRC_TABLE = Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});

function crc32(bytes: Buffer): number {
  let c = 0xffffffff;
  for (const b of bytes) c = CRC_TABLE[(c ^ b) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

function chunk(type: string, data: Buffer): Buffer {
  const head = Buffer.alloc(8);
  head.writeUInt32BE(data.length, 0);
  head.write(type, 4, 'ascii');
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(Buffer.concat([head.subarray(4), data])), 0);
  return Buffer.concat([head, data, crc]);
}

/** An RGB PNG of `width`×`height` whose pixel (x, y) is `pixel(x, y)` as [r, g, b]. */
export function png(width: number, height: number, pixel: (x: number, y: number) => readonly [number, number, number]): Buffer {
  const raw = Buffer.alloc(height * (1 + 3 * width));
  for (let y = 0; y < height; y++) {
    const row = y * (1 + 3 * width);
    for (let x = 0; x < width; x++) {
      const [r, g, b] = pixel(x, y);
      raw[row + 1 + 3 * x] = r;
      raw[row + 2 + 3 * x] = g;
      raw[row + 3 + 3 * x] = b;
    }
  }
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(height, 4);
  ihdr[8] = 8;
  ihdr[9] = 2;
  return Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), chunk('IHDR', ihdr), chunk('IDAT', zlib.deflateSync(raw)), chunk('IEND', Buffer.alloc(0))]);
}

/** Stores `bytes` as a media file (once per content) and returns the item fields naming it. */
export function mediaFile(logDir: string, bytes: Buffer, format: string): { sha256: string; size: number; format: string } {
  const sha256 = crypto.createHash('sha256').update(bytes).digest('hex');
  const dir = path.join(logDir, 'media', sha256.slice(0, 2));
  fs.mkdirSync(dir, { recursive: true });
  const file = path.join(dir, `${sha256}.${format}`);
  if (!fs.existsSync(file)) fs.writeFileSync(file, bytes);
  return { sha256, size: bytes.length, format };
}

/** A `media` record line. */
export function mediaRecord(step: number, key: string, kind: string, items: readonly Record<string, unknown>[], time = Date.now() / 1000): string {
  return `${JSON.stringify({ type: 'media', time, step, key, kind, items })}\n`;
}

/** A digit-like test image: a `size`² square with a bright bar whose position and colour depend on `n`. */
export function sampleImage(n: number, size = 28): Buffer {
  const hue = (n * 47) % 256;
  return png(size, size, (x, y) => {
    const on = Math.abs(x - ((n * 5) % size)) < 3 || (y > size / 2 - 2 && y < size / 2 + 2 && x < ((n * 3) % size) + 4);
    return on ? [255, hue, 255 - hue] : [16, 16, 24];
  });
}
