import { describe, expect, it } from 'vitest';
import { globMatch, isPlainPattern } from '../../src/util/glob';

const yes = (p: string, s: string, nocase = false) => expect(globMatch(p, s, nocase), `${JSON.stringify(p)} ~ ${JSON.stringify(s)}`).toBe(true);
const no = (p: string, s: string, nocase = false) => expect(globMatch(p, s, nocase), `${JSON.stringify(p)} !~ ${JSON.stringify(s)}`).toBe(false);

describe('globMatch', () => {
  it('literals and ?', () => {
    yes('', '');
    no('', 'a');
    no('a', '');
    yes('abc', 'abc');
    no('abc', 'abd');
    no('abc', 'ab');
    no('ab', 'abc');
    yes('a?c', 'abc');
    no('a?c', 'ac');
    yes('???', 'xyz');
    no('?', '');
  });

  it('stars', () => {
    yes('*', 'a');
    yes('*', 'anything at all');
    no('*', ''); // the loop needs a char; callers special-case "*"
    yes('a*', 'a');
    yes('a*', 'abc');
    yes('a**', 'a');
    yes('*c', 'abc');
    yes('a*c', 'ac');
    yes('a*c', 'abbbc');
    no('a*c', 'abbbd');
    yes('foo*', 'foo_a');
    no('foo*', 'key_x');
    yes('*a*b*c*', 'xxaxxbxxcxx');
    no('*a*b*c*', 'xxaxxcxxbxx');
    yes('a*b*c', 'abcbc');
    yes('*.txt', 'a.b.txt');
    yes('key:1??', 'key:123');
    no('key:1??', 'key:1234');
  });

  it('character classes', () => {
    yes('[abc]', 'b');
    no('[abc]', 'd');
    yes('[^abc]', 'd');
    no('[^abc]', 'a');
    yes('[a-c]x', 'bx');
    no('[a-c]x', 'dx');
    yes('[c-a]', 'b'); // reversed range
    yes('h[ae]llo', 'hello');
    yes('h[^e]llo', 'hallo');
    no('h[^e]llo', 'hello');
    yes('[a-]', ']'); // 'a'..']' is a range
    yes('[\\]]', ']');
    yes('[\\-]', '-');
    no('[]', ']'); // an empty class never matches
    no('[]', 'a');
  });

  it('unterminated classes', () => {
    no('[', 'a');
    no('[', '[');
    yes('[^', 'x'); // empty negated class ending the pattern matches any char
    yes('[ab', 'b');
    no('[ab', 'c');
    yes('a[b', 'ab');
  });

  it('escapes', () => {
    yes('\\*', '*');
    no('\\*', 'a');
    yes('\\?', '?');
    yes('\\[a]', '[a]');
    yes('a\\', 'a\\'); // a trailing backslash is literal
    yes('\\a', 'a');
  });

  it('nocase', () => {
    yes('HELLO', 'hello', true);
    no('HELLO', 'hello');
    yes('[A-C]', 'b', true);
    yes('[^a]', 'B', true);
    no('[^a]', 'A', true);
    yes('h*O', 'hellO', true);
    yes('[\\A]', 'A', true);
    no('[\\A]', 'a', true); // escaped class chars ignore nocase
  });

  it('signed-char ranges', () => {
    // 'a'..0xe9 compares as 97..-23: the range is -23..97, i.e. 0x00-0x61 and 0xe9-0xff.
    yes('[a-\xe9]', 'A');
    yes('[a-\xe9]', '\xff');
    no('[a-\xe9]', 'b');
    no('[a-\xe9]', '\x80');
    // With nocase glibc's tolower maps -23 back to 233, except 0xff (EOF).
    yes('[B-\xff]', '?', true);
    no('[A-?\xe9-z]', 'b', true);
  });

  it('binary-safe', () => {
    yes('a\x00*', 'a\x00b');
    yes('?', '\x00');
    no('a', 'a\x00');
  });

  // How fast these run is native-bench's business; here only the answers,
  // and that 100000 stars don't overflow the stack.
  it('pathological patterns: right answers, no deep recursion', () => {
    no('a*'.repeat(20) + 'b', 'a'.repeat(40));
    yes('a*'.repeat(20) + 'b', 'a'.repeat(40) + 'b');
    const many = '*a'.repeat(100000);
    no(many, 'a'.repeat(1000) + 'b');
    // Upstream 7.0.15's stringmatchlen recurses without a bound and matches.
    // (Debian's patched 7.0.15 and Redis >= 7.2.6 give up past 1000 nested
    // stars and answer no match: CVE-2024-31228.)
    yes(many, 'a'.repeat(100000));
  });
});

describe('isPlainPattern', () => {
  it('spots metacharacters', () => {
    expect(isPlainPattern('abc')).toBe(true);
    expect(isPlainPattern('')).toBe(true);
    expect(isPlainPattern('a{b}c]^-')).toBe(true);
    for (const p of ['a*', '?', 'x[', 'a\\b']) expect(isPlainPattern(p)).toBe(false);
  });
});
