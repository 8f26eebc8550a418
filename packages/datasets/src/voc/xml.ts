/**
 * A small, strict XML reader and writer for the subset PASCAL VOC annotation files use:
 * elements, attributes, text, the five predefined entities and numeric character references,
 * CDATA, comments, processing instructions and the XML declaration. DOCTYPE declarations are
 * refused (no entity expansion, so no billion-laughs), as is anything not well-formed:
 * mismatched or unclosed tags, stray `<` / `&`, text outside the root, two roots. Every error
 * names `file:line:column`.
 *
 * Why not an npm XML parser: VOC files need only this subset, @ocelot/datasets stays free of
 * runtime dependencies (it also runs in browsers), and errors can carry exact positions.
 */
import { DatasetParseError } from '../errors.js';
import { lineColumnAt } from '../text.js';

/** An XML element: its name, attributes, child elements and its own text (children's excluded). */
export interface XmlElement {
  readonly name: string;
  readonly attributes: Readonly<Record<string, string>>;
  readonly children: XmlElement[];
  /** Concatenated character data directly inside this element, entities decoded. */
  text: string;
  /** 1-based position of the start tag. */
  readonly line: number;
  readonly column: number;
}

const NAME = /[A-Za-z_:][-A-Za-z0-9_:.]*/y;
const ENTITIES: Record<string, string> = { lt: '<', gt: '>', amp: '&', quot: '"', apos: "'" };

/**
 * Parses an XML document into its root element.
 *
 * @param text the document
 * @param file name used in error messages
 */
export function parseXml(text: string, file?: string): XmlElement {
  let i = text.charCodeAt(0) === 0xfeff ? 1 : 0;
  const fail = (message: string, at = i): never => {
    const { line, column } = lineColumnAt(text, at);
    throw new DatasetParseError(file, line, column, `invalid XML: ${message}`);
  };
  const decode = (raw: string, start: number): string =>
    raw.replace(/&([^;&<\s]*);?/g, (match, body: string, offset: number) => {
      if (!match.endsWith(';')) fail("'&' must start an entity such as &amp;", start + offset);
      if (body.startsWith('#')) {
        const code =
          body[1] === 'x' ? Number.parseInt(body.slice(2), 16) : Number.parseInt(body.slice(1), 10);
        if (!/^#(x[0-9a-fA-F]+|[0-9]+)$/.test(body) || !(code >= 1 && code <= 0x10ffff)) {
          fail(`bad character reference &${body};`, start + offset);
        }
        return String.fromCodePoint(code);
      }
      const entity = ENTITIES[body];
      if (entity === undefined) fail(`unknown entity &${body};`, start + offset);
      return entity!;
    });
  const skipSpace = () => {
    while (i < text.length && /\s/.test(text[i]!)) i++;
  };
  const readName = (): string => {
    NAME.lastIndex = i;
    const match = NAME.exec(text);
    if (!match)
      fail(
        `expected a name, found ${i < text.length ? `'${text[i]}'` : 'the end of the document'}`,
      );
    i += match![0].length;
    return match![0];
  };
  /** Skips a comment, processing instruction or CDATA at `i` (returns CDATA text), or returns undefined. */
  const skipMarkup = (): string | undefined | null => {
    if (text.startsWith('<!--', i)) {
      const end = text.indexOf('-->', i + 4);
      if (end < 0) fail('unclosed comment');
      i = end + 3;
      return null;
    }
    if (text.startsWith('<?', i)) {
      const end = text.indexOf('?>', i + 2);
      if (end < 0) fail('unclosed processing instruction');
      i = end + 2;
      return null;
    }
    if (text.startsWith('<![CDATA[', i)) {
      const end = text.indexOf(']]>', i + 9);
      if (end < 0) fail('unclosed CDATA section');
      const data = text.slice(i + 9, end);
      i = end + 3;
      return data;
    }
    if (text.startsWith('<!', i)) fail('DOCTYPE and other declarations are not supported');
    return undefined;
  };

  const stack: XmlElement[] = [];
  let root: XmlElement | undefined;
  while (i < text.length) {
    const lt = text.indexOf('<', i);
    const textEnd = lt < 0 ? text.length : lt;
    if (textEnd > i) {
      const raw = text.slice(i, textEnd);
      const top = stack[stack.length - 1];
      if (!top && raw.trim() !== '') fail('text outside the root element', i + raw.search(/\S/));
      if (raw.includes(']]>')) fail("']]>' is not allowed in text", i + raw.indexOf(']]>'));
      if (top) top.text += decode(raw, i);
      i = textEnd;
      if (lt < 0) break;
    }
    const markup = skipMarkup();
    if (markup !== undefined) {
      if (markup !== null) {
        const top = stack[stack.length - 1];
        if (!top) fail('CDATA outside the root element');
        top!.text += markup;
      }
      continue;
    }
    const tagStart = i;
    if (text[i + 1] === '/') {
      i += 2;
      const name = readName();
      skipSpace();
      if (text[i] !== '>') fail(`expected '>' to close </${name}`);
      i++;
      const open = stack.pop();
      if (!open) fail(`closing tag </${name}> without an opening tag`, tagStart);
      if (open!.name !== name) {
        fail(
          `closing tag </${name}> does not match <${open!.name}> opened at line ${open!.line}, column ${open!.column}`,
          tagStart,
        );
      }
      continue;
    }
    i++;
    const name = readName();
    const attributes: Record<string, string> = {};
    for (;;) {
      const before = i;
      skipSpace();
      if (text[i] === '>' || text.startsWith('/>', i)) break;
      if (i === before) fail(`expected whitespace, '>' or '/>' in <${name}>`);
      const attrAt = i;
      const attr = readName();
      skipSpace();
      if (text[i] !== '=') fail(`expected '=' after attribute ${attr}`);
      i++;
      skipSpace();
      const quote = text[i];
      if (quote !== '"' && quote !== "'") fail(`attribute ${attr} needs a quoted value`);
      const end = text.indexOf(quote!, i + 1);
      if (end < 0) fail(`unclosed value of attribute ${attr}`);
      const raw = text.slice(i + 1, end);
      if (raw.includes('<'))
        fail(`'<' in the value of attribute ${attr}`, i + 1 + raw.indexOf('<'));
      if (Object.hasOwn(attributes, attr)) fail(`duplicate attribute ${attr}`, attrAt);
      attributes[attr] = decode(raw, i + 1);
      i = end + 1;
    }
    const selfClosing = text[i] === '/';
    i += selfClosing ? 2 : 1;
    const { line, column } = lineColumnAt(text, tagStart);
    const element: XmlElement = { name, attributes, children: [], text: '', line, column };
    const parent = stack[stack.length - 1];
    if (parent) parent.children.push(element);
    else if (root) fail(`a second root element <${name}>; a document has exactly one`, tagStart);
    else root = element;
    if (!selfClosing) stack.push(element);
  }
  const open = stack[stack.length - 1];
  if (open)
    fail(
      `<${open.name}> opened at line ${open.line}, column ${open.column} is never closed`,
      text.length,
    );
  if (!root) fail('no root element', text.length);
  return root!;
}

/** Escapes text for element content or a double-quoted attribute value. */
export function escapeXml(value: string): string {
  return value
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;');
}

/** A node for `writeXml`: text content or children (not both), optional attributes. */
export interface XmlNode {
  readonly name: string;
  readonly attributes?: Readonly<Record<string, string>>;
  readonly text?: string;
  readonly children?: readonly XmlNode[];
}

/** Serialises `node` with a tab per level, as the VOC devkit's files are indented. */
export function writeXml(node: XmlNode, indent = '\t', depth = 0): string {
  const pad = indent.repeat(depth);
  const attrs = Object.entries(node.attributes ?? {})
    .map(([k, v]) => ` ${k}="${escapeXml(v)}"`)
    .join('');
  if (node.children && node.children.length > 0) {
    const inner = node.children.map((child) => writeXml(child, indent, depth + 1)).join('');
    return `${pad}<${node.name}${attrs}>\n${inner}${pad}</${node.name}>\n`;
  }
  return `${pad}<${node.name}${attrs}>${escapeXml(node.text ?? '')}</${node.name}>\n`;
}
