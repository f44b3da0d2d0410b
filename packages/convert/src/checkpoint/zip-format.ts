/**
 * Zip record signatures and sizes (APPNOTE.TXT 6.3) shared by the archive
 * reader and writer.
 * @module
 */

/** Record signatures (little-endian `PK..`). */
export const SIG = {
  LOCAL: 0x04034b50,
  CENTRAL: 0x02014b50,
  END: 0x06054b50,
  ZIP64_END: 0x06064b50,
  ZIP64_LOCATOR: 0x07064b50,
} as const;

/** Fixed sizes of the records, without their variable-length name/extra/comment parts. */
export const SIZE = {
  LOCAL: 30,
  CENTRAL: 46,
  END: 22,
  ZIP64_END: 56,
  ZIP64_LOCATOR: 20,
} as const;

/** Header id of the zip64 extended-information extra field. */
export const ZIP64_EXTRA_ID = 0x0001;

/** Value of a 32-bit size/offset field whose real value is in the zip64 extra field. */
export const U32_MAX = 0xffffffff;

/** Value of a 16-bit count field whose real value is in the zip64 end record. */
export const U16_MAX = 0xffff;

/** General-purpose flag bit 0: the entry is encrypted. */
export const FLAG_ENCRYPTED = 0x0001;

/** General-purpose flag bit 11: the name is UTF-8. */
export const FLAG_UTF8 = 0x0800;

/** Compression method 0: stored (the only method torch.save uses). */
export const METHOD_STORED = 0;
