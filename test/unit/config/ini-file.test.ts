import { describe, expect, it } from 'vitest';
import { readIni } from '../../../src/config/ini-file.ts';

describe('readIni', () => {
  it('sections, entries with line numbers, comments, quoting and escapes', () => {
    const doc = readIni(
      '\uFEFF; comment\r\n# another\n\n[ strategy ] ; trailing\ntop_n = 5 ; five\nmode=  momentum\n' +
        'empty =\nquoted = "a ; b # c"\nsingle = \'x=y\'\nescaped = a\\;b\n[universe]\nexclude = BTCUSDT, ETHUSDT\n',
    );
    expect(doc.malformed).toEqual([]);
    expect(doc.sections).toEqual([
      { name: 'strategy', line: 4 },
      { name: 'universe', line: 11 },
    ]);
    expect(doc.entries).toEqual([
      { section: 'strategy', key: 'top_n', value: '5', line: 5 },
      { section: 'strategy', key: 'mode', value: 'momentum', line: 6 },
      { section: 'strategy', key: 'empty', value: '', line: 7 },
      { section: 'strategy', key: 'quoted', value: 'a ; b # c', line: 8 },
      { section: 'strategy', key: 'single', value: 'x=y', line: 9 },
      { section: 'strategy', key: 'escaped', value: 'a;b', line: 10 },
      { section: 'universe', key: 'exclude', value: 'BTCUSDT, ETHUSDT', line: 12 },
    ]);
  });

  it('a quoted value may be followed by a comment', () => {
    expect(readIni('[s]\na = "x;y" ; note\nb = \'p#q\' # note\n').entries.map((e) => e.value)).toEqual([
      'x;y',
      'p#q',
    ]);
  });

  it('keys before any section have section null', () => {
    expect(readIni('a = 1\n[s]\n').entries).toEqual([{ section: null, key: 'a', value: '1', line: 1 }]);
  });

  it('reports malformed lines by number only', () => {
    const doc = readIni('[s]\nno equals sign here\n= value\n[]\n[open\n');
    expect(doc.malformed.map((m) => m.line)).toEqual([2, 3, 4, 5]);
    expect(JSON.stringify(doc.malformed)).not.toContain('no equals');
  });
});
