/** The day's list as CSV for printing or a spreadsheet: one row per appointment, every field quoted. */
export interface PrintableAppointment {
  time: string | null;
  kind: string;
  dose: number | null;
  code: string | null;
  personMaskedName: string;
  birthYear: string;
  vaccine: string;
  status: string;
}

const HEADER = ['time', 'kind', 'dose', 'code', 'name', 'birth_year', 'vaccine', 'status'];

function field(value: string | number | null): string {
  // Quoted, inner quotes doubled (RFC 4180); a leading = + - @ is defused so a spreadsheet never runs it as a formula.
  const text = value === null ? '' : String(value);
  return `"${(/^[=+\-@]/.test(text) ? `'${text}` : text).replace(/"/g, '""')}"`;
}

export function appointmentsCsv(rows: PrintableAppointment[]): string {
  const lines = rows.map((r) => [r.time, r.kind, r.dose, r.code, r.personMaskedName, r.birthYear, r.vaccine, r.status].map(field).join(','));
  return `${[HEADER.join(','), ...lines].join('\r\n')}\r\n`;
}
