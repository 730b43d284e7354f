// An iTIP REPLY (RFC 5546) from a calendar client answering the invitation's .ics: Thunderbird, Outlook,
// Apple Calendar and Google send it as a text/calendar part (METHOD:REPLY) or an .ics attachment. Parsed
// with ical.js; anything that is not a REPLY (a forwarded REQUEST, a broken file) is no iTIP answer.
import ICAL from 'ical.js';

export type PartStat = 'ACCEPTED' | 'DECLINED' | 'TENTATIVE' | 'DELEGATED' | 'NEEDS-ACTION' | string;

export interface ItipAttendee {
  /** The calendar address without "mailto:", lower case. */
  address: string;
  partstat: PartStat;
  name: string | null;
  /** DELEGATED-TO addresses (PARTSTAT=DELEGATED). */
  delegatedTo: string[];
}

export interface ItipReply {
  uid: string | null;
  sequence: number | null;
  attendees: ItipAttendee[];
  /** COMMENT of the VEVENT (a note the attendee typed with the answer), if any. */
  comment: string | null;
  /** Every ATTENDEE line, also those of delegates (to find a delegate's CN). */
  allAttendees: ItipAttendee[];
}

/** A calendar part of the mail, as mailparser gives it. */
export interface CalendarPart {
  contentType: string;
  filename?: string;
  content: Buffer;
}

/** Whether an attachment of the mail is a calendar object (text/calendar, application/ics or a .ics file). */
export function isCalendarPart(part: { contentType?: string; filename?: string }): boolean {
  const type = (part.contentType ?? '').toLowerCase();
  return type.startsWith('text/calendar') || type === 'application/ics' || /\.ics$/i.test(part.filename ?? '');
}

function calendarAddress(value: unknown): string {
  return String(value ?? '').trim().replace(/^mailto:/i, '').toLowerCase();
}

function attendeeOf(property: ICAL.Property): ItipAttendee {
  const delegatedTo = property.getParameter('delegated-to');
  const list = Array.isArray(delegatedTo) ? delegatedTo : delegatedTo ? [delegatedTo] : [];
  const cn = property.getParameter('cn');
  return {
    address: calendarAddress(property.getFirstValue()),
    partstat: String(property.getParameter('partstat') ?? 'NEEDS-ACTION').toUpperCase(),
    name: typeof cn === 'string' && cn.trim() ? cn.trim() : null,
    delegatedTo: list.map(calendarAddress),
  };
}

/** The REPLY in one calendar text, or null when it is not a REPLY or does not parse. */
export function parseItipReply(text: string): ItipReply | null {
  let calendar: ICAL.Component;
  try {
    calendar = new ICAL.Component(ICAL.parse(text));
  } catch {
    return null;
  }
  if (calendar.name !== 'vcalendar') return null;
  if (String(calendar.getFirstPropertyValue('method') ?? '').toUpperCase() !== 'REPLY') return null;
  const event = calendar.getFirstSubcomponent('vevent');
  if (!event) return null;
  const sequence = event.getFirstPropertyValue('sequence');
  const comment = event.getFirstPropertyValue('comment');
  const all = event.getAllProperties('attendee').map(attendeeOf);
  // In a REPLY the answering attendee carries its PARTSTAT; a delegate's own line (DELEGATED-FROM) comes with it.
  const delegates = new Set(all.flatMap((a) => a.delegatedTo));
  return {
    uid: event.getFirstPropertyValue('uid') === null ? null : String(event.getFirstPropertyValue('uid')),
    sequence: sequence === null || Number.isNaN(Number(sequence)) ? null : Number(sequence),
    attendees: all.filter((a) => !delegates.has(a.address)),
    allAttendees: all,
    comment: typeof comment === 'string' && comment.trim() ? comment.trim() : null,
  };
}

/** The first REPLY among the mail's calendar parts. */
export function findItipReply(parts: CalendarPart[]): ItipReply | null {
  for (const part of parts) {
    if (!isCalendarPart(part)) continue;
    const reply = parseItipReply(part.content.toString('utf8'));
    if (reply) return reply;
  }
  return null;
}
