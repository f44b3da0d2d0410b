/**
 * The only folders the server reads client-visible files from: its upload folder (private to the
 * user running the server: mode 0700), its outputs folder and its examples folder. Every path a
 * client sends is resolved to a real path (symlinks followed) and must lie inside one of them;
 * everything else is refused with 403. Uploads stream
 * into a temporary file and are renamed to `<sha256>/<name>` once complete; entries in use are
 * pinned so that retention leaves them alone; the write state of the folders is kept in
 * {@link FileStore.health}.
 * @module
 */
import { chmod, mkdir, realpath, rename, rm, stat, utimes } from 'node:fs/promises';
import { isAbsolute, join, relative, resolve, sep } from 'node:path';
import { Readable } from 'node:stream';
import { HttpError } from '../errors.js';
import { receiveFile, uploadWriteError, type IncomingFile } from './incoming-file.js';
import { safeBaseName } from './safe-name.js';
import { StorageHealth } from './storage-health.js';

/** The folders of a {@link FileStore}. */
export interface FileStoreFolders {
  /** Uploaded files go to `<uploadsDir>/<sha256>/<name>`; the folder is made private (0700). */
  uploadsDir: string;
  /** Where the engine writes `outputs_*` folders. */
  outputsDir: string;
  /** Example audio shipped with the server (read-only). */
  examplesDir: string;
}

function notAllowed(path: string): HttpError {
  const shown = path.length > 200 ? `${path.slice(0, 200)}...` : path;
  return new HttpError(403, 'E2V_ERR_HTTP_FILE_NOT_ALLOWED', `File not allowed: ${shown}.`);
}

/** True when `child` is strictly inside `root` and no segment of the way is a dot-file. */
function isInside(root: string, child: string): boolean {
  const rel = relative(root, child);
  if (rel === '' || isAbsolute(rel)) return false;
  return rel.split(sep).every((segment) => segment !== '' && !segment.startsWith('.'));
}

/** The server's own files: stores uploads and resolves client-sent paths safely. */
export class FileStore {
  /** Whether the uploads and outputs folders took their last write. */
  readonly health = new StorageHealth();
  private readonly pins = new Map<string, number>();

  private constructor(private readonly roots: FileStoreFolders) {}

  /**
   * Creates the folders when missing and resolves them to real paths; the uploads folder (and
   * the folders created for it) get mode 0700, an existing uploads folder too.
   * @throws the file system's error when a folder cannot be created, or the uploads folder belongs to another user
   */
  static async open(folders: FileStoreFolders): Promise<FileStore> {
    const real = async (dir: string): Promise<string> => {
      await mkdir(dir, { recursive: true });
      return realpath(dir);
    };
    const ownOnly = async (dir: string): Promise<string> => {
      await mkdir(dir, { recursive: true, mode: 0o700 });
      await chmod(dir, 0o700);
      return realpath(dir);
    };
    return new FileStore({
      uploadsDir: await ownOnly(folders.uploadsDir),
      outputsDir: await real(folders.outputsDir),
      examplesDir: await real(folders.examplesDir),
    });
  }

  /** The real paths of the folders. */
  get folders(): Readonly<FileStoreFolders> {
    return this.roots;
  }

  /**
   * Streams an upload into a temporary file of the uploads folder (see {@link receiveFile}).
   * Keep it with {@link keep} or delete it with {@link discard}.
   * @param source the bytes
   * @param limit most bytes (413 beyond)
   * @throws HttpError 413, 400 `E2V_ERR_HTTP_BODY_ABORTED`, 507 `E2V_ERR_HTTP_UPLOADS_FULL`, 500 `E2V_ERR_HTTP_UPLOAD_WRITE`
   */
  async receive(source: Readable, limit: number): Promise<IncomingFile> {
    try {
      const file = await receiveFile(source, this.roots.uploadsDir, limit);
      this.health.record('uploads');
      return file;
    } catch (error) {
      const code = (error as HttpError).code;
      if (code === 'E2V_ERR_HTTP_UPLOADS_FULL' || code === 'E2V_ERR_HTTP_UPLOAD_WRITE') this.health.record('uploads', (error as HttpError).cause);
      throw error;
    }
  }

  /**
   * Moves a received file to `<uploads>/<sha256 of content>/<safe name>` (one rename, so the path
   * holds a complete file or none) and returns that path.
   * @param file from {@link receive}
   * @param clientName the name the client gave (sanitised and shortened; never used as a path)
   * @throws HttpError 507 / 500 as {@link receive} (the temporary file is deleted)
   */
  async keep(file: IncomingFile, clientName: string | undefined): Promise<string> {
    const dir = join(this.roots.uploadsDir, file.sha256);
    const path = join(dir, safeBaseName(clientName));
    try {
      // twice: retention may remove an old folder of the same content between mkdir and rename
      for (let attempt = 0; ; attempt++) {
        await mkdir(dir, { recursive: true });
        try {
          await rename(file.path, path);
          return path;
        } catch (error) {
          if (attempt > 0 || (error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
        }
      }
    } catch (error) {
      await this.discard(file);
      this.health.record('uploads', error);
      throw uploadWriteError(error);
    }
  }

  /** Deletes a received file that is not kept. */
  async discard(file: IncomingFile): Promise<void> {
    await rm(file.path, { force: true }).catch(() => undefined);
  }

  /**
   * Stores uploaded bytes as `<uploads>/<sha256 of content>/<safe name>` and returns the path.
   * @param bytes file content
   * @param clientName the name the client gave (sanitised; never used as a path)
   */
  async saveUpload(bytes: Uint8Array, clientName: string | undefined): Promise<string> {
    return this.keep(await this.receive(Readable.from([bytes]), Number.POSITIVE_INFINITY), clientName);
  }

  /**
   * Marks the upload or outputs folder holding `path` (or a received temporary file) as in use
   * until the returned function is called, and refreshes its time: retention removes neither.
   * @param path a file of the uploads or outputs folder (others are ignored)
   * @returns the release function (calling it twice is harmless)
   */
  pin(path: string): () => void {
    const entry = this.entryOf(path);
    if (entry === undefined) return () => undefined;
    this.pins.set(entry, (this.pins.get(entry) ?? 0) + 1);
    const now = new Date();
    void utimes(entry, now, now).catch(() => undefined);
    let held = true;
    return () => {
      if (!held) return;
      held = false;
      const count = (this.pins.get(entry) ?? 1) - 1;
      if (count === 0) this.pins.delete(entry);
      else this.pins.set(entry, count);
    };
  }

  /** True while an entry (a direct child of the uploads or outputs folder) is pinned. */
  inUse(entry: string): boolean {
    return this.pins.has(entry);
  }

  /** The direct child of the uploads or outputs folder that holds `path`. */
  private entryOf(path: string): string | undefined {
    for (const root of [this.roots.uploadsDir, this.roots.outputsDir]) {
      const rel = relative(root, path);
      if (rel !== '' && !isAbsolute(rel) && !rel.startsWith('..')) return join(root, rel.split(sep)[0]!);
    }
    return undefined;
  }

  /**
   * The real path of a file the server owns (an upload, an output or an example), from a path a
   * client sent: percent-decoded already, absolute, no NUL; symlinks are resolved before the
   * check, so no `..`, symlink or encoding trick leaves the folders.
   * @param clientPath the path as the client sent it
   * @throws HttpError 403 `E2V_ERR_HTTP_FILE_NOT_ALLOWED` for anything else (also for missing files,
   *   so existence outside the folders is never revealed)
   */
  async resolveOwned(clientPath: string): Promise<string> {
    if (clientPath === '' || clientPath.includes('\0') || !isAbsolute(clientPath)) throw notAllowed(clientPath);
    let real: string;
    try {
      real = await realpath(resolve(clientPath));
    } catch {
      throw notAllowed(clientPath);
    }
    const { uploadsDir, outputsDir, examplesDir } = this.roots;
    if (![uploadsDir, outputsDir, examplesDir].some((root) => isInside(root, real))) throw notAllowed(clientPath);
    const info = await stat(real).catch(() => undefined);
    if (info === undefined || !info.isFile()) throw notAllowed(clientPath);
    return real;
  }

  /**
   * The real path of a file inside the outputs folder, from a path relative to it (REST links).
   * @throws HttpError 403 as {@link resolveOwned}
   */
  async resolveOutput(relativePath: string): Promise<string> {
    if (relativePath.includes('\0') || isAbsolute(relativePath)) throw notAllowed(relativePath);
    const path = resolve(this.roots.outputsDir, relativePath);
    if (!isInside(this.roots.outputsDir, path)) throw notAllowed(relativePath);
    return this.resolveOwned(path);
  }

  /** The path of an output file relative to the outputs folder (for REST links). */
  outputRelative(path: string): string {
    return relative(this.roots.outputsDir, path).split(sep).join('/');
  }
}
