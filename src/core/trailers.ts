// Commit-message trailers, parsed with git's syntax (git interpret-trailers); pure.

export interface Trailer {
  /** The key as written, e.g. "Co-Authored-By". */
  key: string;
  /** The value, with continuation lines unfolded into one line. */
  value: string;
  /** The trailer as written (continuation lines joined by a space), for evidence. */
  line: string;
}

/**
 * git's trailer syntax: a key token (letters, digits, hyphens; underscores tolerated), optional
 * blanks, the ':' separator, then the value. "Co-Authored-By : Claude <…>" is a trailer to git.
 */
const TRAILER_LINE = /^([A-Za-z0-9][A-Za-z0-9_-]*)[ \t]*:[ \t]*(.*)$/;
/** A line that starts with blanks continues the trailer above it (RFC 822 folding, as git does). */
const CONTINUATION = /^[ \t]+(\S.*)$/;

/**
 * The trailers of a commit message. git reads them from the last paragraph only; this reads every
 * paragraph with the same syntax (a superset), because squash merges keep each squashed commit's
 * trailers in the middle of the message and the gate must not miss them.
 * Linear in the length of the message.
 */
export function parseTrailers(message: string): Trailer[] {
  const trailers: Trailer[] = [];
  let open: { key: string; parts: string[]; raw: string[] } | undefined;
  const close = () => {
    if (!open) return;
    const value = open.parts.join(" ").trim();
    if (value !== "") trailers.push({ key: open.key, value, line: open.raw.join(" ") });
    open = undefined;
  };
  for (const raw of message.split(/\r\n|\r|\n/)) {
    const continued = open ? CONTINUATION.exec(raw) : null;
    if (open && continued) {
      open.parts.push(continued[1]!.trim());
      open.raw.push(continued[1]!.trim());
      continue;
    }
    close();
    const m = TRAILER_LINE.exec(raw);
    // "http://…" and "12:30" are not trailers: a value must not start with "//", a key not be all digits.
    if (!m || m[2]!.startsWith("//") || /^\d+$/.test(m[1]!)) continue;
    open = { key: m[1]!, parts: [m[2]!.trim()], raw: [raw.trim()] };
  }
  close();
  return trailers;
}
