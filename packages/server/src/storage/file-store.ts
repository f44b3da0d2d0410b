/**
 * The only folders the server reads client-visible files from: its upload folder, its outputs
 * folder and its examples folder. Every path a client sends is resolved to a real path (symlinks
 * followed) and must lie inside one of them; everything else is refused with 403.
 * @module
 */
import { createHash } from 'node:crypto';
import { mkdir, realpath, stat } from 'node:fs/promises';
import { isAbsolute, join, relative, resolve, sep } from 'node:path';
import { writeFileAtomic } from '@e2v/plugins';
import { HttpError } from '../errors.js';
import { safeBaseName } from './safe-name.js';

/** The folders of a {@link FileStore}. */
export interface FileStoreFolders {
  /** Uploaded files go to `<uploadsDir>/<sha256>/<name>`. */
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
  private constructor(private readonly roots: FileStoreFolders) {}

  /** Creates the folders when missing and resolves them to real paths. */
  static async open(folders: FileStoreFolders): Promise<FileStore> {
    const real = async (dir: string): Promise<string> => {
      await mkdir(dir, { recursive: true });
      return realpath(dir);
    };
    return new FileStore({
      uploadsDir: await real(folders.uploadsDir),
      outputsDir: await real(folders.outputsDir),
      examplesDir: await real(folders.examplesDir),
    });
  }

  /** The real paths of the folders. */
  get folders(): Readonly<FileStoreFolders> {
    return this.roots;
  }

  /**
   * Stores uploaded bytes as `<uploads>/<sha256 of content>/<safe name>` (atomically: temporary
   * name, then rename) and returns the absolute path.
   * @param bytes file content
   * @param clientName the name the client gave (sanitised; never used as a path)
   */
  async saveUpload(bytes: Uint8Array, clientName: string | undefined): Promise<string> {
    const digest = createHash('sha256').update(bytes).digest('hex');
    const dir = join(this.roots.uploadsDir, digest);
    await mkdir(dir, { recursive: true });
    const path = join(dir, safeBaseName(clientName));
    await writeFileAtomic(path, bytes);
    return path;
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
