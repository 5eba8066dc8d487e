// Cached folder listings for the importers' discovery walks. A folder's listing is reused while its
// modification time stays the same, so a pass over a thousand finished runs costs a stat per folder; a
// folder changed in the last two seconds is read again, for file systems whose timestamps are coarse.
// Symbolic links are neither folders nor files here (wandb's `latest-run` is not followed: no run twice).
import * as fs from 'node:fs';

export interface DirListing {
  readonly mtime: number;
  /** Subfolders, sorted. */
  readonly dirs: readonly string[];
  /** Regular files, sorted. */
  readonly files: readonly string[];
  /** The same files, to test names. */
  readonly fileSet: ReadonlySet<string>;
}

const COARSE_MTIME_MS = 2000;

export class ListingCache {
  private readonly listings = new Map<string, DirListing>();

  /** The folder's listing, or undefined when it is gone or cannot be read. */
  get(dir: string): DirListing | undefined {
    let mtime: number;
    try {
      mtime = fs.statSync(dir).mtimeMs;
    } catch {
      this.listings.delete(dir);
      return undefined;
    }
    const cached = this.listings.get(dir);
    if (cached && cached.mtime === mtime && Date.now() - mtime > COARSE_MTIME_MS) return cached;
    let entries: fs.Dirent[];
    try {
      entries = fs.readdirSync(dir, { withFileTypes: true });
    } catch {
      return undefined;
    }
    const files = entries.filter((e) => e.isFile()).map((e) => e.name).sort();
    const listing: DirListing = { mtime, dirs: entries.filter((e) => e.isDirectory()).map((e) => e.name).sort(), files, fileSet: new Set(files) };
    this.listings.set(dir, listing);
    return listing;
  }

  clear(): void {
    this.listings.clear();
  }
}
