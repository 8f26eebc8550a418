import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { DatasetParseError, type DatasetValidationError } from '../errors.js';
import { parseVoc, stringifyVoc, type VocAnnotation, validateVoc } from './voc.js';
import { parseXml } from './xml.js';

const fixture = readFileSync(new URL('../__fixtures__/voc-000005.xml', import.meta.url), 'utf8');

function parseErrorOf(xml: string): DatasetParseError {
  try {
    parseXml(xml, 'a.xml');
  } catch (error) {
    if (error instanceof DatasetParseError) return error;
    throw error;
  }
  throw new Error('expected a parse error');
}

describe('parseXml', () => {
  it('reads elements, attributes, entities, CDATA and skips comments / PIs', () => {
    const root = parseXml(
      '<?xml version="1.0"?><!-- c --><a x="1 &lt; 2" y=\'q\'><b>t &amp; &#65;&#x42;</b><c/><d><![CDATA[<raw>]]></d></a>',
    );
    expect(root.name).toBe('a');
    expect(root.attributes).toEqual({ x: '1 < 2', y: 'q' });
    expect(root.children.map((c) => [c.name, c.text])).toEqual([
      ['b', 't & AB'],
      ['c', ''],
      ['d', '<raw>'],
    ]);
  });

  it.each([
    ['<a><b></a>', 1, 7, /closing tag <\/a> does not match <b> opened at line 1, column 4/],
    ['<a>\n  <b>\n</a>', 3, 1, /does not match <b> opened at line 2, column 3/],
    ['<a>x &foo; y</a>', 1, 6, /unknown entity &foo;/],
    ['<a>x & y</a>', 1, 6, /'&' must start an entity/],
    ['<!DOCTYPE a [<!ENTITY e "x">]><a/>', 1, 1, /DOCTYPE/],
    ['<a/><b/>', 1, 5, /a second root element <b>/],
    ['<a>', 1, 4, /<a> opened at line 1, column 1 is never closed/],
    ['text<a/>', 1, 1, /text outside the root element/],
    ['<a b=1/>', 1, 6, /needs a quoted value/],
    ['<a b="1" b="2"/>', 1, 10, /duplicate attribute b/],
    ['', 1, 1, /no root element/],
    ['</a>', 1, 1, /without an opening tag/],
    ['<a><!-- x </a>', 1, 4, /unclosed comment/],
  ])('rejects %j at line:column with a reason', (xml, line, column, message) => {
    const error = parseErrorOf(xml);
    expect([error.line, error.column]).toEqual([line, column]);
    expect(error.message).toMatch(/^a\.xml:\d+:\d+: invalid XML: /);
    expect(error.message).toMatch(message);
  });
});

describe('parseVoc', () => {
  it('reads a devkit-style annotation file', () => {
    const voc = parseVoc(fixture, { file: '000005.xml' });
    expect(voc).toEqual({
      folder: 'VOC2007',
      filename: '000005.jpg',
      source: { database: 'The VOC2007 Database', annotation: 'PASCAL VOC2007', image: 'flickr' },
      size: { width: 500, height: 375, depth: 3 },
      segmented: false,
      objects: [
        {
          name: 'chair',
          pose: 'Rear',
          truncated: false,
          difficult: false,
          bndbox: { xmin: 263, ymin: 211, xmax: 324, ymax: 339 },
        },
        {
          name: 'chair',
          pose: 'Unspecified',
          truncated: true,
          difficult: true,
          bndbox: { xmin: 1, ymin: 1, xmax: 500, ymax: 375 },
        },
        { name: 'dining & table', bndbox: { xmin: 5, ymin: 244, xmax: 67, ymax: 374 } },
      ],
    } satisfies VocAnnotation);
  });

  it('round-trips through stringifyVoc', () => {
    const voc = parseVoc(fixture);
    const xml = stringifyVoc(voc);
    expect(parseVoc(xml)).toEqual(voc);
    expect(stringifyVoc(parseVoc(xml))).toBe(xml);
    expect(xml).toContain('\t<object>\n\t\t<name>dining &amp; table</name>\n');
  });

  it('names the object and field of missing or malformed content', () => {
    const broken = fixture.replace('<xmax>324</xmax>', '<xmax>3x4</xmax>');
    expect(() => parseVoc(broken, { file: '000005.xml' })).toThrow(
      '000005.xml: object[0] (chair): bndbox.xmax: expected a number, got "3x4" (line 25)',
    );
    const noBox = fixture.replace(/<bndbox><xmin>5.*<\/bndbox>/, '');
    expect(() => parseVoc(noBox)).toThrow(
      /object\[2\] \(dining & table\): bndbox: missing <bndbox>/,
    );
    expect(() =>
      parseVoc(fixture.replace('<difficult>1</difficult>', '<difficult>yes</difficult>')),
    ).toThrow(/object\[1\] \(chair\): difficult: expected 0 or 1, got "yes"/);
    expect(() => parseVoc('<annotations/>')).toThrow(
      /root element is <annotations>, expected <annotation>/,
    );
    expect(() => parseVoc(fixture.replace(/<size>[\s\S]*<\/size>/, ''))).toThrow(
      /annotation: size: missing <size>/,
    );
  });

  it('collects every problem in collect mode', () => {
    const broken = fixture
      .replace('<xmax>324</xmax>', '<xmax>3x4</xmax>')
      .replace('<name>chair</name>', '<name></name>');
    try {
      parseVoc(broken, { mode: 'collect' });
      expect.unreachable();
    } catch (error) {
      expect((error as DatasetValidationError).issues.map((i) => i.field)).toEqual([
        'name',
        'bndbox.xmax',
      ]);
    }
  });
});

describe('validateVoc', () => {
  const voc = () => parseVoc(fixture);
  const issues = (v: VocAnnotation, options = {}) =>
    validateVoc(v, { mode: 'collect', ...options }).issues;

  it('reports non-positive image sizes', () => {
    const v = voc();
    v.size.width = 0;
    expect(issues(v)[0]).toMatchObject({
      code: 'E_NON_POSITIVE_SIZE',
      record: 'annotation',
      field: 'size.width',
    });
  });

  it('reports inverted boxes (xmax < xmin; equal is one pixel in the devkit convention)', () => {
    const v = voc();
    v.objects[0]!.bndbox.xmax = 262;
    expect(issues(v)).toMatchObject([
      { code: 'E_NON_POSITIVE_SIZE', record: 'object[0] (chair)', field: 'bndbox' },
    ]);
    v.objects[0]!.bndbox.xmax = 263;
    expect(issues(v)).toEqual([]);
    expect(issues(v, { convention: 'continuous' })).toMatchObject([
      { code: 'E_NON_POSITIVE_SIZE' },
    ]);
  });

  it('reports boxes outside the image per convention and tolerance', () => {
    const v = voc();
    v.objects[1]!.bndbox.xmax = 502;
    expect(issues(v)).toMatchObject([
      { code: 'E_BOX_OUTSIDE_IMAGE', record: 'object[1] (chair)', field: 'bndbox' },
    ]);
    expect(issues(v, { boxTolerance: 2 })).toEqual([]);
    v.objects[1]!.bndbox.xmax = 500;
    v.objects[1]!.bndbox.xmin = 0; // 1 px left of the devkit's first column: within tolerance 1
    expect(issues(v)).toEqual([]);
    expect(issues(v, { boxTolerance: 0 })).toMatchObject([{ code: 'E_BOX_OUTSIDE_IMAGE' }]);
    expect(issues(v, { boxTolerance: 0, convention: 'continuous' })).toEqual([]);
  });

  it('throws in throw mode with the file name', () => {
    const v = voc();
    v.objects[2]!.name = '';
    expect(() => validateVoc(v, { file: 'x.xml' })).toThrow('x.xml: object[2]: name: missing name');
  });
});
