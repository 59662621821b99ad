/**
 * A small evaluator of AWS EventBridge cron expressions — `cron(minutes hours day-of-month month day-of-week year)` —
 * enough to check a schedule: `*`, `?`, numbers, ranges `a-b`, lists `a,b`, steps `a/n`, `*\/n`, `a-b/n`, month
 * names JAN–DEC and day names SUN–SAT (AWS numbers days 1–7 = SUN–SAT). `L`, `W` and `#` are refused.
 */
export interface WallTime {
  minute: number;
  hour: number;
  day: number;
  month: number;
  /** 1 = Sunday … 7 = Saturday (AWS numbering). */
  dow: number;
  year: number;
}

export type CronMatcher = (t: WallTime) => boolean;

const MONTHS = ['JAN', 'FEB', 'MAR', 'APR', 'MAY', 'JUN', 'JUL', 'AUG', 'SEP', 'OCT', 'NOV', 'DEC'];
const DAYS = ['SUN', 'MON', 'TUE', 'WED', 'THU', 'FRI', 'SAT'];

function field(text: string, min: number, max: number, names: string[] = [], nameBase = 1): (v: number) => boolean {
  if (text === '*' || text === '?') return () => true;
  if (/[LW#]/.test(text.replace(/[A-Z]{3}/g, ''))) throw new Error(`unsupported cron syntax "${text}"`);
  const num = (s: string): number => {
    const i = names.indexOf(s.toUpperCase());
    const n = i >= 0 ? i + nameBase : Number(s);
    if (!Number.isInteger(n) || n < min || n > max) throw new Error(`cron value "${s}" outside ${min}-${max}`);
    return n;
  };
  const allowed = new Set<number>();
  for (const part of text.split(',')) {
    const [range, stepText] = part.split('/') as [string, string | undefined];
    const step = stepText === undefined ? 1 : Number(stepText);
    if (!Number.isInteger(step) || step <= 0) throw new Error(`bad cron step "${part}"`);
    let lo: number;
    let hi: number;
    if (range === '*') [lo, hi] = [min, max];
    else if (range.includes('-')) {
      const [a, b] = range.split('-') as [string, string];
      [lo, hi] = [num(a), num(b)];
    } else {
      lo = num(range);
      hi = stepText === undefined ? lo : max;
    }
    if (hi < lo) throw new Error(`cron range "${range}" runs backwards`);
    for (let v = lo; v <= hi; v += step) allowed.add(v);
  }
  return (v) => allowed.has(v);
}

export function parseAwsCron(expr: string): CronMatcher {
  const m = /^cron\((.*)\)$/.exec(expr.trim());
  if (!m) throw new Error(`not a cron() expression: ${expr}`);
  const f = m[1]!.trim().split(/\s+/);
  if (f.length !== 6) throw new Error(`cron() needs 6 fields, got ${f.length}: ${expr}`);
  const [mi, h, dom, mon, dow, yr] = f as [string, string, string, string, string, string];
  if ((dom === '?') === (dow === '?')) throw new Error(`exactly one of day-of-month and day-of-week must be "?": ${expr}`);
  const minute = field(mi, 0, 59);
  const hour = field(h, 0, 23);
  const day = field(dom, 1, 31);
  const month = field(mon, 1, 12, MONTHS);
  const weekday = field(dow, 1, 7, DAYS);
  const year = field(yr, 1970, 2199);
  return (t) => minute(t.minute) && hour(t.hour) && day(t.day) && month(t.month) && weekday(t.dow) && year(t.year);
}
