// A small XML writer for the edXML packages: elements, attributes and text, always escaped, nothing else
// (no comments, CDATA or processing instructions beyond the declaration).

export interface XmlElement {
  name: string;
  attributes: Array<[string, string]>;
  children: XmlContent[];
}

export type XmlContent = XmlElement | string;

// XML 1.0 allows only these characters (the Char production), escaped or not: control characters, lone
// surrogates and U+FFFE/U+FFFF from a sender's subject would make the whole package unreadable.
const NOT_XML_CHAR = /[^\t\n\r\u0020-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/gu;
const NAME = /^[A-Za-z_][A-Za-z0-9._-]*(?::[A-Za-z_][A-Za-z0-9._-]*)?$/;

export function withoutInvalidXmlChars(text: string): string {
  return text.replace(NOT_XML_CHAR, '');
}

const ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&apos;' };

export function escapeText(text: string): string {
  return withoutInvalidXmlChars(text).replace(/[&<>"']/g, (c) => ESCAPES[c]);
}

/** In attribute values a literal tab or line break would be normalised to a space by the reader. */
function escapeAttribute(value: string): string {
  return escapeText(value).replace(/[\t\n\r]/g, (c) => `&#${c.charCodeAt(0)};`);
}

function checkName(name: string): string {
  if (!NAME.test(name)) throw new Error(`not an XML name: ${JSON.stringify(name)}`);
  return name;
}

/** An element with children; a null or undefined text child becomes an empty element. */
export function element(name: string, children: Array<XmlContent | null | undefined> | string | null = [], attributes: Record<string, string> = {}): XmlElement {
  const list = Array.isArray(children) ? children : [children];
  return {
    name: checkName(name),
    attributes: Object.entries(attributes).map(([key, value]) => [checkName(key), value]),
    children: list.filter((c): c is XmlContent => c !== null && c !== undefined && c !== ''),
  };
}

function write(node: XmlElement, indent: string, out: string[]): void {
  const attributes = node.attributes.map(([key, value]) => ` ${key}="${escapeAttribute(value)}"`).join('');
  if (node.children.length === 0) {
    out.push(`${indent}<${node.name}${attributes}/>`);
  } else if (node.children.every((c) => typeof c === 'string')) {
    out.push(`${indent}<${node.name}${attributes}>${(node.children as string[]).map(escapeText).join('')}</${node.name}>`);
  } else {
    out.push(`${indent}<${node.name}${attributes}>`);
    for (const child of node.children) {
      if (typeof child === 'string') out.push(`${indent}  ${escapeText(child)}`);
      else write(child, `${indent}  `, out);
    }
    out.push(`${indent}</${node.name}>`);
  }
}

/** The document as UTF-8 text with its declaration, indented by two spaces. */
export function renderXml(root: XmlElement): string {
  const out = ['<?xml version="1.0" encoding="UTF-8"?>'];
  write(root, '', out);
  return out.join('\n') + '\n';
}
