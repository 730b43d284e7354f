// The two organs of an edXML message: the sender of a document (a unit of the directory, or only a mail
// address) and ourselves (the register's organ, from the configuration).
import type { Config } from '../../config';
import type { DocumentSummary } from '../../db/register/repository';
import type { Unit } from '../../db/units/repository';
import { ed } from './vocabulary';
import type { XmlElement } from './xml';

export interface EdxmlOrgan {
  /** The 13-character mã định danh; empty when the directory does not know it. */
  organId: string;
  organName: string;
  organizationInCharge: string;
  address: string;
  email: string;
}

export function ourOrgan(config: Config): EdxmlOrgan {
  return {
    organId: config.edxmlOrganId,
    organName: config.edxmlOrganName,
    organizationInCharge: config.edxmlOrganName,
    address: '',
    email: config.gatewayAddresses[0] ?? '',
  };
}

/** Who sent the document: its unit when the directory knows the address, else the mail sender as written. */
export function senderOrgan(doc: DocumentSummary, unit: Unit | null): EdxmlOrgan {
  const email = doc.envelopeFrom ?? unit?.emails[0] ?? '';
  const name = unit?.name ?? doc.headerFrom ?? email;
  return { organId: unit?.organId ?? '', organName: name, organizationInCharge: name, address: '', email };
}

/** From or To of a MessageHeader, or From of a Status; To carries no OrganizationInCharge. */
export function organElement(name: 'From' | 'To', organ: EdxmlOrgan): XmlElement {
  return ed(name, [
    ed('OrganId', organ.organId),
    ed('OrganName', organ.organName),
    name === 'From' ? ed('OrganizationInCharge', organ.organizationInCharge) : null,
    ed('OrganAdd', organ.address),
    ed('Email', organ.email),
    ed('Telephone'),
    ed('Fax'),
    ed('Website'),
  ]);
}
