/**
 * Text helpers: JSON parsing whose errors name the file, line and column, and offset → line /
 * column conversion shared by the XML reader.
 */
import { DatasetParseError } from './errors.js';

/** 1-based line and column of a character offset in `text`. */
export function lineColumnAt(text: string, offset: number): { line: number; column: number } {
  let line = 1;
  let lineStart = 0;
  const end = Math.min(Math.max(offset, 0), text.length);
  for (let i = 0; i < end; i++) {
    if (text.charCodeAt(i) === 10) {
      line++;
      lineStart = i + 1;
    }
  }
  return { line, column: end - lineStart + 1 };
}

/**
 * `JSON.parse` whose `SyntaxError` becomes a `DatasetParseError` with `file:line:column`.
 * A leading UTF-8 byte-order mark is ignored.
 *
 * @param text JSON text
 * @param file name used in the error message
 */
export function parseJson(text: string, file?: string): unknown {
  const body = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  try {
    return JSON.parse(body);
  } catch (error) {
    if (!(error instanceof SyntaxError)) throw error;
    const { offset, message } = describeJsonError(body, error.message);
    const { line, column } = lineColumnAt(body, offset);
    throw new DatasetParseError(file, line, column, `invalid JSON: ${message}`);
  }
}

/** Where and why `JSON.parse` failed, from V8's message or, when it has no position, a scan. */
function describeJsonError(text: string, v8Message: string): { offset: number; message: string } {
  const atPosition = /^(.*?) in JSON at position (\d+)/.exec(v8Message);
  if (atPosition) return { offset: Number(atPosition[2]), message: atPosition[1]! };
  if (/Unexpected end of JSON input/.test(v8Message)) {
    return { offset: text.length, message: 'unexpected end of input' };
  }
  const scanned = findJsonSyntaxError(text);
  const short = v8Message.replace(/, ".*" is not valid JSON$/s, '');
  return { offset: scanned?.offset ?? 0, message: short || scanned?.message || v8Message };
}

/**
 * Finds the first syntax error in `text` by scanning the JSON grammar (used only after
 * `JSON.parse` failed, so speed does not matter). Returns `undefined` if none was found.
 */
export function findJsonSyntaxError(text: string): { offset: number; message: string } | undefined {
  let i = 0;
  const fail = (message: string): never => {
    throw { offset: i, message };
  };
  const ws = () => {
    while (i < text.length && ' \t\n\r'.includes(text[i]!)) i++;
  };
  const literal = (word: string) => {
    for (let k = 0; k < word.length; k++) {
      if (text[i] !== word[k])
        fail(`unexpected ${i < text.length ? `'${text[i]}'` : 'end of input'}`);
      i++;
    }
  };
  const string = () => {
    i++; // opening quote
    while (i < text.length) {
      const c = text.charCodeAt(i);
      if (c === 34) {
        i++;
        return;
      }
      if (c < 32) fail('bad control character in string');
      if (c === 92) {
        i++;
        const e = text[i];
        if (e === 'u') {
          for (let k = 1; k <= 4; k++) {
            if (!/[0-9a-fA-F]/.test(text[i + k] ?? '')) {
              i += k;
              fail('bad unicode escape');
            }
          }
          i += 5;
          continue;
        }
        if (e === undefined || !'"\\/bfnrt'.includes(e)) fail('bad escape');
      }
      i++;
    }
    fail('unterminated string');
  };
  const number = () => {
    const match = /^-?(0|[1-9]\d*)(\.\d+)?([eE][+-]?\d+)?/.exec(text.slice(i, i + 400));
    if (!match) fail(`unexpected '${text[i]}'`);
    i += match![0].length;
  };
  const value = (depth: number): void => {
    if (depth > 10_000) fail('nested too deeply');
    ws();
    const c = text[i];
    if (c === undefined) {
      fail('unexpected end of input');
      return;
    }
    if (c === '{') {
      i++;
      ws();
      if (text[i] === '}') {
        i++;
        return;
      }
      for (;;) {
        ws();
        if (text[i] !== '"') fail('expected a double-quoted property name');
        string();
        ws();
        if (text[i] !== ':') fail("expected ':' after property name");
        i++;
        value(depth + 1);
        ws();
        if (text[i] === ',') {
          i++;
          continue;
        }
        if (text[i] === '}') {
          i++;
          return;
        }
        fail("expected ',' or '}' after property value");
      }
    }
    if (c === '[') {
      i++;
      ws();
      if (text[i] === ']') {
        i++;
        return;
      }
      for (;;) {
        value(depth + 1);
        ws();
        if (text[i] === ',') {
          i++;
          continue;
        }
        if (text[i] === ']') {
          i++;
          return;
        }
        fail("expected ',' or ']' after array element");
      }
    }
    if (c === '"') string();
    else if (c === 't') literal('true');
    else if (c === 'f') literal('false');
    else if (c === 'n') literal('null');
    else if (c === '-' || (c >= '0' && c <= '9')) number();
    else fail(`unexpected '${c}'`);
  };
  try {
    value(0);
    ws();
    if (i < text.length) fail('unexpected text after the JSON value');
    return undefined;
  } catch (error) {
    if (typeof error === 'object' && error !== null && 'offset' in error) {
      return error as { offset: number; message: string };
    }
    throw error;
  }
}
