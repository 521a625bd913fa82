/**
 * Where JSON text first goes wrong, as line and column. Node 20's JSON.parse
 * gives an offset for some errors ("… at position 19") but only a snippet for
 * others ("Unexpected token ','"), and an operator fixing a 5 MB GeoJSON in
 * an editor needs the line. A strict RFC 8259 scanner, run only after
 * JSON.parse has already failed.
 */
export function jsonErrorLocation(text: string): { line: number; column: number } | undefined {
  const offset = firstErrorOffset(text);
  if (offset === undefined) return undefined;
  const before = text.slice(0, offset);
  return { line: before.split('\n').length, column: offset - before.lastIndexOf('\n') };
}

class Stop {
  constructor(readonly offset: number) {}
}

function firstErrorOffset(text: string): number | undefined {
  let at = 0;
  const fail = (): never => {
    throw new Stop(at);
  };
  const space = () => {
    while (at < text.length && ' \t\n\r'.includes(text[at] as string)) at++;
  };
  const expect = (char: string) => {
    if (text[at] !== char) fail();
    at++;
  };
  const string = () => {
    expect('"');
    while (at < text.length && text[at] !== '"') {
      const code = text.charCodeAt(at);
      if (code < 0x20) fail();
      if (text[at] === '\\') {
        at++;
        const escaped = text[at];
        if (escaped === 'u') {
          if (!/^[0-9a-fA-F]{4}$/.test(text.slice(at + 1, at + 5))) fail();
          at += 4;
        } else if (escaped === undefined || !'"\\/bfnrt'.includes(escaped)) fail();
      }
      at++;
    }
    expect('"');
  };
  const number = () => {
    const match = /^-?(0|[1-9]\d*)(\.\d+)?([eE][+-]?\d+)?/.exec(text.slice(at, at + 400));
    if (!match || match[0] === '' || match[0] === '-') fail();
    at += (match as RegExpExecArray)[0].length;
  };
  const literal = (word: string) => {
    for (const char of word) expect(char);
  };
  const value = (): void => {
    space();
    const char = text[at];
    if (char === '{') {
      at++;
      space();
      if (text[at] === '}') {
        at++;
        return;
      }
      for (;;) {
        space();
        string();
        space();
        expect(':');
        value();
        space();
        if (text[at] === ',') at++;
        else {
          expect('}');
          return;
        }
      }
    } else if (char === '[') {
      at++;
      space();
      if (text[at] === ']') {
        at++;
        return;
      }
      for (;;) {
        value();
        space();
        if (text[at] === ',') at++;
        else {
          expect(']');
          return;
        }
      }
    } else if (char === '"') string();
    else if (char === 't') literal('true');
    else if (char === 'f') literal('false');
    else if (char === 'n') literal('null');
    else number();
  };
  try {
    value();
    space();
    if (at < text.length) fail();
    return undefined;
  } catch (error) {
    if (error instanceof Stop) return error.offset;
    // Nesting deep enough to overflow the stack: no position to give.
    return undefined;
  }
}
