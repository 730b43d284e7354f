// Which signatures are the organisation's seal and which a person's.
import type { NameFields } from './certificates';

export type SignerKind = 'person' | 'organization';

function normalise(value: string): string {
  return value.normalize('NFC').toLocaleLowerCase('vi').replace(/[\s\u00a0]+/g, ' ').trim();
}

/** The seal's certificate names the organisation as its own subject: CN equals O. */
export function signerKind(subject: NameFields): SignerKind {
  if (subject.commonName && subject.organization && normalise(subject.commonName) === normalise(subject.organization)) {
    return 'organization';
  }
  return 'person';
}
