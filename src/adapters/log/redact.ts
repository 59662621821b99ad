/**
 * The one redaction layer (SPEC §3: secrets never appear in logs, files or error messages). It masks
 * every configured secret value — the Kalshi key id, the Massive key, the private key material line by
 * line — wherever it appears, raw or JSON-escaped, plus `apiKey=` query values. Every log line and every
 * error the CLI prints goes through `mask`.
 */
const MASK = '***';
/** Shorter values would mask ordinary words; real keys are far longer. */
const MIN_SECRET_LENGTH = 6;

export class Redactor {
  private readonly secrets: string[];

  constructor(secrets: readonly (string | undefined)[] = []) {
    const set = new Set<string>();
    for (const s of secrets) {
      const v = s?.trim();
      if (!v || v.length < MIN_SECRET_LENGTH) continue;
      set.add(v);
      const escaped = JSON.stringify(v).slice(1, -1);
      if (escaped !== v) set.add(escaped);
    }
    // Longest first, so a secret containing another is masked whole.
    this.secrets = [...set].sort((a, b) => b.length - a.length);
  }

  get size(): number {
    return this.secrets.length;
  }

  mask(text: string): string {
    let out = text.replace(/(apiKey=)[^&\s"']+/gi, `$1${MASK}`);
    for (const s of this.secrets) if (out.includes(s)) out = out.split(s).join(MASK);
    return out;
  }
}

/**
 * The secret values of a PEM private key: every base64 body line (each is unique key material) and the
 * body as one string. Header lines (`-----BEGIN …`) are public words and are not masked.
 */
export function pemSecrets(pem: string): string[] {
  const body = pem
    .split(/\r?\n/)
    .map((l) => l.trim())
    .filter((l) => l.length > 0 && !l.startsWith('-----'));
  return body.length === 0 ? [] : [...body, body.join(''), body.join('\n')];
}
