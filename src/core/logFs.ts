// The file system calls the log reader (ingest.ts) makes, in one place, so a benchmark can play a slow
// network file system: bench/sharedDir.ts wraps each with a delay and counts them. Nothing else here.
import * as fs from 'node:fs';

export const logFs = {
  stat: (file: string): fs.Stats => fs.statSync(file),
  readdir: (dir: string): fs.Dirent[] => fs.readdirSync(dir, { withFileTypes: true }),
  open: (file: string, flags: number): number => fs.openSync(file, flags),
  fstat: (fd: number): fs.Stats => fs.fstatSync(fd),
  read: (fd: number, buffer: Buffer, offset: number, length: number, position: number): number => fs.readSync(fd, buffer, offset, length, position),
  close: (fd: number): void => fs.closeSync(fd),
};
